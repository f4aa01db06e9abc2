"""The researcher's intake: start a draft, save it over many sittings, check it is complete, submit, withdraw.

Status moves go through projects.domain.transitions.set_proposal_status; this module holds the intake rules it runs
before a submission (completeness, an open call) and the draft bookkeeping.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leoportal.models import User
from projects.domain.attachments import delete_files_on_commit
from projects.domain.scoring import request_scoring
from projects.domain.submission import CONCEPT_FIELDS, EDITABLE_FIELDS, LIST_FIELDS, format_deadline
from projects.domain.transitions import set_proposal_status
from projects.enums import ProposalStatus, Stage
from projects.exceptions import CallNotOpen, DraftNotEditable, NotInvited, SubmissionRefused
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

__all__ = [
    "CONCEPT_FIELDS",
    "EDITABLE_FIELDS",
    "FLIGHT_REQUIREMENT_FIELDS",
    "MATCHER_FIELDS",
    "create_draft",
    "delete_draft",
    "save_co_investigators",
    "save_draft",
    "submit_proposal",
    "withdraw_proposal",
]


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


def submit_proposal(proposal: Proposal, user: User) -> StatusChange:
    """Submit (or resubmit after revisions). Raises SubmissionRefused with what is missing; the draft stays."""
    notes: dict[str, str] = {
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
