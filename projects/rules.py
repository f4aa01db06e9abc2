"""Who may do what with a proposal. Views, the admin and domain functions all ask these predicates.

Lookups go through the scoped queryset (Proposal.objects.visible_to); these predicates decide the actions on an
object already found, and mirror that queryset for code that holds an object.
"""

import rules

from leoportal.rules import grant_program_staff, is_program_staff, is_researcher
from partners.rules import is_provider_member
from projects.enums import Access, ProposalStatus
from projects.models import EDITABLE_STATUSES, OPEN_STATUSES


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_proposal_owner(user, proposal):
    """The principal investigator: the researcher who started the proposal."""
    return _active(user) and proposal is not None and proposal.owner_id == user.pk


def _co_investigator(user, proposal):
    if not _active(user) or proposal is None:
        return None
    return next((coi for coi in proposal.co_investigators.all() if coi.user_id == user.pk), None)


@rules.predicate
def is_proposal_team(user, proposal):
    """The PI or a co-investigator who accepted an invitation."""
    return bool(is_proposal_owner(user, proposal) or _co_investigator(user, proposal))


@rules.predicate
def is_proposal_editor(user, proposal):
    """The PI or a co-investigator with edit rights (whatever the status)."""
    if is_proposal_owner(user, proposal):
        return True
    coi = _co_investigator(user, proposal)
    return bool(coi and coi.access == Access.EDIT)


@rules.predicate
def is_editable_status(user, proposal):
    return proposal is not None and proposal.status in EDITABLE_STATUSES


@rules.predicate
def is_open_status(user, proposal):
    return proposal is not None and proposal.status in OPEN_STATUSES


can_view_proposal = is_proposal_team | is_program_staff
can_edit_proposal = is_proposal_editor & is_editable_status
# Submitting, withdrawing and managing the team are the principal investigator's.
can_submit_proposal = is_proposal_owner & is_editable_status
can_withdraw_proposal = is_proposal_owner & is_open_status


@rules.predicate
def is_submitted_status(user, proposal):
    return proposal is not None and proposal.status == ProposalStatus.SUBMITTED


# Before the deadline (checked by the move itself), the PI may take a submission back to improve it.
can_reopen_proposal = is_proposal_owner & is_submitted_status
can_manage_team = is_proposal_owner
can_start_proposal = is_researcher & ~is_program_staff


@rules.predicate
def can_delete_draft(user, proposal):
    """A draft that was never submitted can be thrown away by its PI (there is nothing for staff to keep)."""
    return bool(is_proposal_owner(user, proposal) and proposal.status == "draft" and proposal.submission_count == 0)


@rules.predicate
def is_introduced_provider_member(user, introduction):
    """A member of the provider organisation a proposal was introduced to."""
    return introduction is not None and is_provider_member(user, introduction.organisation)


@rules.predicate
def is_awaiting_answer(user, introduction):
    return introduction is not None and not introduction.answer


@rules.predicate
def is_proposal_not_withdrawn(user, introduction):
    return introduction is not None and introduction.proposal.status != ProposalStatus.WITHDRAWN


# Staff introduce; the provider's members read the introduction and answer it once.
can_introduce = is_program_staff
can_view_introduction = is_introduced_provider_member | is_program_staff
can_answer_introduction = is_introduced_provider_member & is_awaiting_answer & is_proposal_not_withdrawn
# Staff record that an introduced proposal flew (it becomes a flight precedent, confidential like the proposal).
can_record_flight = is_program_staff


grant_program_staff("projects", "call")
grant_program_staff("projects", "proposal", actions=("view", "change"))
grant_program_staff("projects", "coinvestigator", actions=("view",))
grant_program_staff("projects", "attachment", actions=("view",))
grant_program_staff("projects", "statuschange", actions=("view",))
grant_program_staff("projects", "invitation", actions=("view",))
grant_program_staff("projects", "introduction", actions=("view",))
grant_program_staff("projects", "introductionrequest", actions=("view", "change"))
grant_program_staff("projects", "review", actions=("view",))
grant_program_staff("projects", "match", actions=("view",))
grant_program_staff("projects", "listingdemand", actions=("view",))
grant_program_staff("projects", "rescorerequest", actions=("view",))
grant_program_staff("projects", "precedent")
grant_program_staff("projects", "panelmember", actions=("view",))
grant_program_staff("projects", "reviewerinvitation", actions=("view",))
grant_program_staff("projects", "reviewassignment", actions=("view",))
grant_program_staff("projects", "reviewerprofile", actions=("view",))
grant_program_staff("projects", "decisiontemplate")
grant_program_staff("projects", "reviewround")
grant_program_staff("projects", "decisionemail", actions=("view",))
rules.add_perm("projects.record_flight", can_record_flight)
rules.add_perm("projects", is_program_staff)
