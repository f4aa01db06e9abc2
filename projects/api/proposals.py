"""A researcher's own proposals in the API (``/api/v1/proposals``), with a personal token.

Read every proposal of the holder's teams; with a write token, start a draft and change a draft's answers. The
answers are checked by the proposal form of the site (a concept summary by its own form), so the API refuses what
the form refuses, with the same sentence for each field. A proposal that cannot be edited now (submitted, under
review...) is refused with 409 and the reason. A proposal outside the token's reach (another team's, or any
through an organisation's token) is 404, as on the site. Its matches come with their explanations.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.db import transaction
from django.http import Http404
from ninja import Body, Router, Schema
from ninja.responses import Status

from leoportal.api.access import Detail, FieldProblems, Refused, require_personal, require_write
from projects.domain.drafts import check_version, proposal_version
from projects.domain.proposals import create_draft, save_draft
from projects.domain.suggestions import suggestions_for
from projects.exceptions import DraftNotEditable, TransitionError
from projects.forms import ConceptForm, ProposalForm, StartProposalForm
from projects.models import Proposal
from projects.rules import can_edit_proposal, is_editable_status, is_proposal_editor

router = Router(tags=["Proposals"])

ANSWERS_DESCRIPTION = (
    "Answers by field name, as in the proposal form (title, summary, objectives, research_areas [...], "
    'temperature_min_c, co2 true/false/null, launch_earliest "YYYY-MM-DD", ...); null clears an answer. Only the '
    "fields sent change. version (from the proposal) refuses the change with 409 if someone saved since."
)


class ProposalOut(Schema):
    id: uuid.UUID
    title: str
    status: str
    stage: str
    summary: str
    last_submitted_at: datetime | None
    editable: bool
    version: str
    url: str
    answers: dict


class Check(Schema):
    name: str
    outcome: str
    detail: str


class MatchOut(Schema):
    rank: int
    score: float
    fit: str
    summary: str
    near_miss: str
    listing_id: uuid.UUID | None
    listing_name: str
    provider: str
    listing_url: str | None
    criteria: list[Check]


class MatchesOut(Schema):
    state: str
    computed_at: datetime | None
    updating: bool
    matches: list[MatchOut]
    near_misses: list[MatchOut]


def _reachable(request):
    token = request.auth
    if not token.is_personal:
        return Proposal.objects.none()  # an organisation's token reaches its listings, not anyone's proposals
    return Proposal.objects.team_of(token.user).select_related("call").order_by("-updated_at", "-id")


def _one(request, proposal_id) -> Proposal:
    found = _reachable(request).filter(public_id=proposal_id).first()
    if found is None:
        raise Http404("No such proposal.")
    return found


def _form_class(proposal: Proposal):
    return ConceptForm if proposal.is_concept else ProposalForm


def _answer(proposal: Proposal, name: str):
    value = getattr(proposal, name)
    if name == "call":
        return str(value.public_id) if value is not None else None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _out(request, proposal: Proposal, user) -> dict:
    fields = _form_class(proposal)._meta.fields
    return {
        "id": proposal.public_id,
        "title": proposal.title,
        "status": proposal.status,
        "stage": proposal.stage,
        "summary": proposal.summary,
        "last_submitted_at": proposal.last_submitted_at,
        "editable": can_edit_proposal(user, proposal),
        "version": proposal_version(proposal),
        "url": request.build_absolute_uri(proposal.get_absolute_url()),
        "answers": {name: _answer(proposal, name) for name in fields},
    }


def _field_refusal(errors: dict) -> Refused:
    problems = [
        {"field": "proposal" if name == "__all__" else name, "message": str(message)}
        for name, messages in errors.items()
        for message in messages
    ]
    noun = "problem" if len(problems) == 1 else "problems"
    return Refused(422, f"Nothing was saved: fix the {len(problems)} {noun} below and send it again.", problems)


def _form_data(form, answers: dict) -> tuple[dict, dict]:
    """The form's current values with ``answers`` over them, and what cannot be an answer at all."""
    data, problems = {}, {}
    for name in form.fields:
        if name in answers:
            continue
        value = form[name].value()
        data[name] = "" if value is None else value
    for name, value in answers.items():
        field = form.fields.get(name)
        if field is None or name == "version":
            problems[name] = [f"“{name}” is not an answer of this proposal's form."]
        elif isinstance(value, dict):
            problems[name] = ["Send a single value here (text, a number, true or false, or null), not an object."]
        elif isinstance(value, list) and not isinstance(field, forms.MultipleChoiceField):
            problems[name] = ["Send a single value here, not a list."]
        elif isinstance(value, list) and not all(isinstance(item, str) for item in value):
            problems[name] = ["Send a list of the choices' values (text)."]
        else:
            data[name] = "" if value is None else value
    return data, problems


def _save_answers(proposal: Proposal, answers: dict, user) -> None:
    """Check ``answers`` with the proposal's form and save them (the caller holds a transaction)."""
    form_class = _form_class(proposal)
    data, problems = _form_data(form_class(instance=proposal), answers)
    if problems:
        raise _field_refusal(problems)
    form = form_class(data, instance=Proposal.objects.get(pk=proposal.pk))
    if not form.is_valid():
        raise _field_refusal(form.errors)
    save_draft(proposal, form.cleaned_data, user)


@router.get("", response=list[ProposalOut], url_name="proposals", summary="Your proposals (personal token)")
def proposals(request):
    user = request.auth.user
    return [_out(request, proposal, user) for proposal in _reachable(request)[:500]]


@router.post(
    "",
    response={201: ProposalOut, 403: Detail, 422: FieldProblems},
    url_name="proposals_create",
    summary="Start a draft (personal token, write)",
    description="call (the call's id, or null for an unsolicited proposal where allowed), title, and any other "
    "answers. " + ANSWERS_DESCRIPTION,
)
def create_proposal(request, answers: dict = Body(..., description=ANSWERS_DESCRIPTION)):  # noqa: B008 -- ninja
    user = require_personal(request)
    require_write(request)
    answers = dict(answers)
    start = {"call": answers.pop("call", None) or "", "title": answers.pop("title", None) or ""}
    start_form = StartProposalForm(start)
    if not start_form.is_valid():
        raise _field_refusal(start_form.errors)
    with transaction.atomic():
        try:
            proposal = create_draft(user, call=start_form.cleaned_data["call"], title=start_form.cleaned_data["title"])
        except TransitionError as error:
            raise _field_refusal({"call": [str(error)]}) from None
        if answers:
            _save_answers(proposal, answers, user)
    return Status(201, _out(request, _one(request, proposal.public_id), user))


@router.get("/{proposal_id}", response=ProposalOut, url_name="proposal", summary="One of your proposals")
def proposal(request, proposal_id: uuid.UUID):
    return _out(request, _one(request, proposal_id), request.auth.user)


@router.patch(
    "/{proposal_id}",
    response={200: ProposalOut, 403: Detail, 409: Detail, 422: FieldProblems},
    url_name="proposal_update",
    summary="Change a draft's answers (personal token, write)",
    description=ANSWERS_DESCRIPTION + " A proposal that is not a draft (or in revisions) is refused with 409.",
)
def update_proposal(
    request,
    proposal_id: uuid.UUID,
    answers: dict = Body(..., description=ANSWERS_DESCRIPTION),  # noqa: B008 -- ninja's way
):
    found = _one(request, proposal_id)  # first: another team's proposal is 404 whatever the token
    user = require_personal(request)
    require_write(request)
    answers = dict(answers)
    version = answers.pop("version", None)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=found.pk)
        try:
            if not is_editable_status(user, locked):
                raise DraftNotEditable(
                    f"This proposal is {locked.get_status_display().lower()}: only a draft (or one sent back for "
                    "revisions) can be changed, by its principal investigator or a co-investigator who edits."
                )
            if not is_proposal_editor(user, locked):
                raise Refused(
                    403,
                    "You read this proposal but do not edit it: its principal investigator can give you edit access.",
                )
            if version is not None:
                check_version(locked, str(version), user)
            _save_answers(locked, answers, user)
        except DraftNotEditable as error:
            raise Refused(409, str(error)) from None
    return _out(request, _one(request, proposal_id), user)


def _match(suggestion) -> dict:
    capability = suggestion.capability
    public = capability is not None and capability.is_published and capability.organisation.verified
    return {
        "rank": suggestion.rank,
        "score": suggestion.score,
        "fit": suggestion.fit,
        "summary": suggestion.summary,
        "near_miss": suggestion.near_miss,
        "listing_id": capability.public_id if capability else None,
        "listing_name": capability.name if capability else "",
        "provider": capability.organisation.name if capability else "",
        "listing_url": capability.get_absolute_url() if public else None,
        "criteria": suggestion.criteria,
    }


@router.get(
    "/{proposal_id}/matches",
    response=MatchesOut,
    url_name="proposal_matches",
    summary="The facilities that fit one of your proposals, each check explained",
    description="state: stored (scored by the matcher), preview (a draft, scored as it stands), queued, none or "
    "closed. Each match has its checks (name, outcome pass/partial/unknown/fail, a sentence).",
)
def proposal_matches(request, proposal_id: uuid.UUID):
    found = _one(request, proposal_id)
    suggestions = suggestions_for(found)
    return {
        "state": suggestions.state,
        "computed_at": suggestions.computed_at,
        "updating": suggestions.updating,
        "matches": [_match(s) for s in suggestions.matches],
        "near_misses": [_match(s) for s in suggestions.near_misses],
    }
