"""The researcher's intake: start a draft, save it over many sittings, check it is complete, submit, withdraw.

Status moves go through projects.transitions.set_proposal_status; this module holds the intake rules it runs
before a submission (completeness, an open call) and the draft bookkeeping.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from leoportal.models import User
from projects.attachments import delete_files_on_commit
from projects.enums import AttachmentKind, ProposalStatus, Stage
from projects.models import (
    FLIGHT_REQUIREMENT_FIELDS,
    MATCHER_FIELDS,
    OPEN_STATUSES,
    Call,
    Invitation,
    Proposal,
    StatusChange,
)
from projects.rules import can_delete_draft, can_edit_proposal, can_start_proposal
from projects.scoring import request_scoring
from projects.transitions import TransitionError, set_proposal_status

__all__ = [
    "CONCEPT_FIELDS",
    "CONCEPT_WORD_LIMIT",
    "EDITABLE_FIELDS",
    "FLIGHT_REQUIREMENT_FIELDS",
    "MATCHER_FIELDS",
    "CallNotOpen",
    "Missing",
    "NotInvited",
    "SubmissionRefused",
    "check_ready_to_submit",
    "create_draft",
    "delete_draft",
    "missing_for_concept",
    "missing_for_submission",
    "save_co_investigators",
    "save_draft",
    "submit_proposal",
    "withdraw_proposal",
]

# What the researcher's form may change (everything but ownership, status and the audit fields), section by section.
SECTIONS = {
    "Overview": ["title", "call", "summary", "objectives"],
    "Team and eligibility": ["organisation", "uei", "cage_code", "attest_us_persons", "attest_export_control"],
    "Science": ["why_microgravity", "earth_benefit", "research_areas", "trl_current", "trl_target"],
    "Flight requirements": [*FLIGHT_REQUIREMENT_FIELDS, "hardware_unsure"],
    "Funding": ["amount_requested", "matching_funds", "matching_funds_sources"],
}
EDITABLE_FIELDS = tuple(field for fields in SECTIONS.values() for field in fields)
# A concept summary (calls with a concept step): about one page, what staff need to decide whether to invite a full
# proposal. The call is fixed when the concept is started; the team lead is the principal investigator.
CONCEPT_FIELDS = ("title", "summary", "why_microgravity", "research_areas", "needs", "hardware_unsure", "organisation")
REQUIRED_FOR_CONCEPT = ("title", "summary", "why_microgravity", "research_areas", "organisation")
CONCEPT_WORD_LIMIT = 600  # summary and why microgravity together: about one page
LIST_FIELDS = {"research_areas", "needs"}

# Needed before a proposal can be submitted. Flight requirements are never required: "not stated" is an answer.
REQUIRED_TO_SUBMIT = {
    "Overview": ["title", "summary", "objectives"],
    "Team and eligibility": ["organisation", "uei"],
    "Science": ["why_microgravity", "earth_benefit", "research_areas", "trl_current", "trl_target"],
    "Funding": ["amount_requested"],
}
ATTESTATIONS = {
    "attest_us_persons": "Confirm that the PI and co-PIs are U.S. persons at U.S. entities",
    "attest_export_control": "Confirm that export control is the proposer's responsibility",
}
CO_INVESTIGATOR_FIELDS = {"name": "name", "email": "e-mail address", "organisation": "organisation", "role": "role"}


class DraftNotEditable(TransitionError):
    pass


class NotInvited(DraftNotEditable):
    """A full proposal on a call with a concept step needs an invitation from program staff."""


@dataclass(frozen=True)
class Missing:
    """Something a proposal needs before it can be submitted: the form section, the field, and what to do."""

    section: str
    field: str
    message: str

    @property
    def anchor(self) -> str:
        if self.field == "narrative":
            return "attachments"
        if self.field.startswith("coi-"):
            return "co-investigators"
        if self.field in LIST_FIELDS or self.field.startswith("attest_"):
            return f"div_id_{self.field}"
        return f"id_{self.field}"


class SubmissionRefused(TransitionError):
    """The proposal cannot be submitted yet. ``missing`` lists what to complete, section by section."""

    def __init__(self, message: str, missing: list[Missing] = ()):
        self.missing = list(missing)
        super().__init__(message)

    def by_section(self) -> dict[str, list[Missing]]:
        sections: dict[str, list[Missing]] = {}
        for item in self.missing:
            sections.setdefault(item.section, []).append(item)
        return sections


class CallNotOpen(SubmissionRefused):
    """The call has closed (or not opened yet). The draft is kept."""


def format_deadline(moment) -> str:
    return format_date(timezone.localtime(moment), "j F Y, H:i T")


def format_usd(amount: Decimal) -> str:
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"


# --- Starting and saving drafts -------------------------------------------------------------------------------


def create_draft(owner: User, call: Call | None = None, title: str = "") -> Proposal:
    """Start a draft for ``owner`` (a researcher), answering ``call`` or, when allowed, unsolicited."""
    if not can_start_proposal(owner):
        raise DraftNotEditable("Only researchers can start proposals.")
    if call is None and not settings.ALLOW_UNSOLICITED_PROPOSALS:
        raise SubmissionRefused("Choose the call your proposal answers: unsolicited proposals are not accepted.")
    if call is not None and call.is_closed:
        raise CallNotOpen(f"{call.code} closed on {format_deadline(call.closes_at)}; choose an open call.")
    if call is not None and not call.takes_new_drafts():
        raise CallNotOpen(
            f"Concept summaries for {call.code} were due on {format_deadline(call.concept_closes_at)}; only teams "
            "invited to a full proposal can still submit. Choose an open call."
        )
    stage = call.first_stage if call is not None else Stage.FULL
    with transaction.atomic():
        proposal = Proposal.objects.create(
            owner=owner, call=call, stage=stage, title=title.strip(), organisation=owner.organisation
        )
        StatusChange.objects.create(
            proposal=proposal,
            from_status="",
            to_status=ProposalStatus.DRAFT,
            changed_by=owner,
            changed_at=proposal.created_at,
            note="Concept summary started." if stage == Stage.CONCEPT else "Draft started.",
            stage=stage,
        )
    return proposal


def check_call_allowed(proposal: Proposal, call: Call | None) -> None:
    """A full proposal may not move onto a call with a concept step: that call's full proposals are invited."""
    if call is None or proposal.call_id == call.pk or not call.concept_step or proposal.is_concept:
        return
    if proposal.status != ProposalStatus.INVITED:
        raise NotInvited(
            f"{call.code} takes a concept summary first: start a concept summary from the call's page. Its full "
            "proposals are written once program staff invite them."
        )


def _differs(proposal: Proposal, field: str, value) -> bool:
    if field == "call":
        return proposal.call_id != (value.pk if value is not None else None)
    current = getattr(proposal, field)
    if field in LIST_FIELDS:
        return sorted(current or []) != sorted(value or [])
    return current != value


def save_draft(proposal: Proposal, data: dict, user: User) -> set[str]:
    """Save the fields of ``data`` that differ from the stored proposal; return the names that changed.

    Any subset may be filled: completeness is checked on submission. The caller validated ``data`` (the form).
    Values are compared with the row as stored (a bound ModelForm has already copied them onto its instance),
    and only changed columns are written. The returned set tells callers what moved, e.g. whether any of
    FLIGHT_REQUIREMENT_FIELDS changed.
    """
    with transaction.atomic():
        stored = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not can_edit_proposal(user, stored):
            raise DraftNotEditable(f"This proposal is {stored.get_status_display().lower()} and cannot be edited now.")
        if "call" in data:
            check_call_allowed(stored, data["call"])
        fields = CONCEPT_FIELDS if stored.is_concept else EDITABLE_FIELDS  # a concept has no full-proposal answers yet
        changed = {field for field in fields if field in data and _differs(stored, field, data[field])}
        if changed:
            for field in changed:
                setattr(stored, field, data[field])
            stored.updated_at = timezone.now()
            stored._change_reason = f"Edited by {user.display_name}"
            stored.save(update_fields=[*sorted(changed), "updated_at"])
            if stored.status in OPEN_STATUSES and changed & set(MATCHER_FIELDS):
                request_scoring(stored)  # revisions in progress: its suggestions follow the new facts
    for field in (*changed, "updated_at", "status"):
        setattr(proposal, field, getattr(stored, field))
    return changed


def save_co_investigators(proposal: Proposal, formset, user: User) -> bool:
    """Save the PI's co-investigator formset (rows keep the order shown); return whether anything changed.

    A co-investigator whose e-mail address changes loses any invitation still pending for the old address.
    """
    if not can_edit_proposal(user, proposal):
        raise DraftNotEditable(f"This proposal is {proposal.get_status_display().lower()} and cannot be edited now.")
    now = timezone.now()
    saved = formset.save(commit=False)  # new and changed rows; fills formset.deleted_objects
    for removed in formset.deleted_objects:
        removed.delete()
    kept = [
        form.instance
        for form in formset.forms
        if (form.instance.pk or form.instance in saved) and form.instance not in formset.deleted_objects
    ]
    readdressed = [form.instance.pk for form in formset.initial_forms if "email" in form.changed_data]
    Invitation.objects.filter(
        co_investigator__in=readdressed, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    for position, instance in enumerate(kept):
        if instance in saved or instance.position != position:
            instance.position = position
            instance.save()
    changed = bool(saved or formset.deleted_objects)
    if changed:
        proposal.updated_at = now
        proposal.save(update_fields=["updated_at"])
    return changed


# --- Submission -----------------------------------------------------------------------------------------------


def _labels() -> dict[str, str]:
    return {field.name: field.verbose_name for field in Proposal._meta.get_fields() if hasattr(field, "verbose_name")}


def concept_words(proposal: Proposal) -> int:
    return len(proposal.summary.split()) + len(proposal.why_microgravity.split())


def missing_for_concept(proposal: Proposal) -> list[Missing]:
    """What a concept summary still needs before it can be submitted, in form order."""
    labels = _labels()
    missing = [
        Missing("Concept", field, str(labels[field])[:1].upper() + str(labels[field])[1:])
        for field in REQUIRED_FOR_CONCEPT
        if getattr(proposal, field) in (None, "", [])
    ]
    if not proposal.needs and not proposal.hardware_unsure:
        missing.append(
            Missing("Concept", "needs", "Hardware needed: choose the kinds you expect to need, or tick “Not sure yet”")
        )
    words = concept_words(proposal)
    if words > CONCEPT_WORD_LIMIT:
        missing.append(
            Missing(
                "Concept",
                "summary",
                f"Length: the summary and “why microgravity” come to {words:,} words; a concept summary is at most "
                f"{CONCEPT_WORD_LIMIT} words (about one page). Shorten them by {words - CONCEPT_WORD_LIMIT:,} words; "
                "the details belong in the full proposal",
            )
        )
    return missing


def missing_for_submission(proposal: Proposal) -> list[Missing]:
    """Everything the proposal still needs before it can be submitted, in form order."""
    if proposal.is_concept:
        return missing_for_concept(proposal)
    labels = _labels()
    missing = []

    def required(section, field):
        value = getattr(proposal, field)
        if value in (None, "", []):
            label = str(labels[field])
            missing.append(Missing(section, field, label[:1].upper() + label[1:]))

    for field in REQUIRED_TO_SUBMIT["Overview"]:
        required("Overview", field)
    if proposal.call_id is None and not settings.ALLOW_UNSOLICITED_PROPOSALS:
        missing.append(Missing("Overview", "call", "Call: choose the call this proposal answers"))

    for field in REQUIRED_TO_SUBMIT["Team and eligibility"]:
        required("Team and eligibility", field)
    for number, coi in enumerate(proposal.co_investigators.all(), start=1):
        absent = [label for field, label in CO_INVESTIGATOR_FIELDS.items() if not getattr(coi, field)]
        if absent:
            who = coi.name or f"Co-investigator {number}"
            missing.append(Missing("Team and eligibility", f"coi-{number}", f"{who}: {', '.join(absent)}"))
    for field, message in ATTESTATIONS.items():
        if not getattr(proposal, field):
            missing.append(Missing("Team and eligibility", field, message))

    for field in REQUIRED_TO_SUBMIT["Science"]:
        required("Science", field)

    if not proposal.needs and not proposal.hardware_unsure:
        missing.append(
            Missing(
                "Flight requirements",
                "needs",
                "Hardware needed: choose the kinds you expect to need, or tick “Not sure yet, ask staff” "
                "(matching is weak without them)",
            )
        )

    required("Funding", "amount_requested")
    if proposal.matching_funds and not proposal.matching_funds_sources.strip():
        missing.append(Missing("Funding", "matching_funds_sources", "Sources of matching funds: say who provides them"))
    cap = proposal.call.funding_cap if proposal.call_id else None
    if cap is not None and proposal.amount_requested is not None and proposal.amount_requested > cap:
        missing.append(
            Missing(
                "Funding",
                "amount_requested",
                f"Amount requested: {format_usd(proposal.amount_requested)} is above the call's cap of "
                f"{format_usd(cap)}",
            )
        )

    if not any(attachment.kind == AttachmentKind.NARRATIVE for attachment in proposal.attachments.all()):
        missing.append(Missing("Attachments", "narrative", "Full narrative (PDF)"))
    return missing


def check_call_accepts(proposal: Proposal, now=None) -> None:
    """A submission needs the call open for its stage: a concept before the concept deadline, a full proposal
    before the call's deadline. A resubmission after revisions was invited, so the deadline passed for it long ago
    and is no reason to refuse."""
    if proposal.status == ProposalStatus.REVISIONS_REQUESTED:
        return
    call = proposal.call
    if call is None:
        if not settings.ALLOW_UNSOLICITED_PROPOSALS:
            raise SubmissionRefused(
                "Choose the call your proposal answers: unsolicited proposals are not accepted.",
                [Missing("Overview", "call", "Call: choose the call this proposal answers")],
            )
        return
    now = now or timezone.now()
    if proposal.is_concept and now >= call.concept_closes_at:
        raise CallNotOpen(
            f"Concept summaries for {call.code} were due on {format_deadline(call.concept_closes_at)}; it no longer "
            "accepts them. Your draft is saved."
        )
    if now >= call.closes_at:
        raise CallNotOpen(
            f"{call.code} closed on {format_deadline(call.closes_at)} and no longer accepts proposals. "
            "Your draft is saved."
        )
    if now < call.opens_at:
        raise CallNotOpen(
            f"{call.code} opens on {format_deadline(call.opens_at)}; you can submit from then. Your draft is saved."
        )


def check_ready_to_submit(proposal: Proposal) -> None:
    check_call_accepts(proposal)
    missing = missing_for_submission(proposal)
    if missing:
        count = len(missing)
        raise SubmissionRefused(
            f"Your draft is saved, but {count} thing{'s' if count != 1 else ''} must be completed before you can "
            "submit.",
            missing,
        )


def submit_proposal(proposal: Proposal, user: User) -> StatusChange:
    """Submit (or resubmit after revisions). Raises SubmissionRefused with what is missing; the draft stays."""
    notes = {
        ProposalStatus.REVISIONS_REQUESTED: "Resubmitted after revisions.",
        ProposalStatus.INVITED: "Full proposal submitted after the invitation.",
    }
    note = notes.get(proposal.status, "Concept summary submitted." if proposal.is_concept else "")
    return set_proposal_status(proposal, ProposalStatus.SUBMITTED, by=user, note=note)


def withdraw_proposal(proposal: Proposal, user: User, note: str = "") -> StatusChange:
    return set_proposal_status(proposal, ProposalStatus.WITHDRAWN, by=user, note=note)


def delete_draft(proposal: Proposal, user: User) -> None:
    """Throw away a draft that was never submitted, with its files."""
    if not can_delete_draft(user, proposal):
        raise DraftNotEditable("Only a draft that was never submitted can be deleted, by its principal investigator.")
    with transaction.atomic():
        names = list(proposal.attachments.values_list("file", flat=True))
        proposal.delete()
        delete_files_on_commit(names)
