"""Suggested assignments for a call's panel: the Django side of projects/matching/reviewers.py.

Staff start a background job (leoportal's jobs, with progress) from the panel page; it loads the call's proposals under
review and its panel as plain data, with every conflict of interest of projects/panels.py as a hard rule, runs the
pure engine and stores the suggestions (replacing the call's earlier ones). Staff accept all of them or some; an
accepted suggestion goes through panels.assign like any assignment, so the rules are checked again at that moment.
"""

from django.db import transaction

from leoportal.domain import jobs
from projects.domain.panels import assign, organisation_key
from projects.enums import AssignmentSource
from projects.matching import reviewers as engine
from projects.models import OPEN_STATUSES, Call, PanelMember, Proposal, Review, SuggestedAssignment

JOB_KIND = "projects.reviewer_suggestions"


def _proposal_text(proposal: Proposal) -> str:
    return "\n".join(filter(None, (proposal.title, proposal.summary, proposal.objectives, proposal.why_microgravity)))


def load_inputs(call: Call) -> tuple[list[engine.ProposalToReview], list[engine.Reviewer]]:
    """The call's proposals under review and its panel as plain data, with every conflict as a hard rule."""
    members = list(PanelMember.objects.filter(call=call).select_related("reviewer__reviewer_profile"))
    proposals = list(
        Proposal.objects.filter(call=call, status__in=OPEN_STATUSES)
        .prefetch_related("co_investigators", "assignments")
        .order_by("pk")
    )
    loads = {member.reviewer_id: 0 for member in members}
    for proposal in proposals:
        for assignment in proposal.assignments.all():
            if assignment.reviewer_id in loads:
                loads[assignment.reviewer_id] += 1
    declared = set(
        Review.objects.filter(proposal__in=proposals, conflict_of_interest=True).values_list(
            "proposal_id", "reviewer_id"
        )
    )
    reviewers = []
    organisations = {}
    for member in members:
        user = member.reviewer
        profile = getattr(user, "reviewer_profile", None)
        organisations[user.pk] = organisation_key(user.organisation)
        reviewers.append(
            engine.Reviewer(
                id=user.pk,
                areas=tuple(profile.research_areas) if profile else (),
                keywords=tuple(profile.keyword_list) if profile else (),
                bio=profile.bio if profile else "",
                load=loads[user.pk],
            )
        )
    inputs = []
    for proposal in proposals:
        team = {proposal.owner_id} | {coi.user_id for coi in proposal.co_investigators.all() if coi.user_id}
        their_organisations = {organisation_key(proposal.organisation)} | {
            organisation_key(coi.organisation) for coi in proposal.co_investigators.all()
        }
        their_organisations.discard("")
        conflicts = frozenset(
            reviewer.id
            for reviewer in reviewers
            if reviewer.id in team
            or (proposal.pk, reviewer.id) in declared
            or organisations[reviewer.id] in their_organisations
        )
        inputs.append(
            engine.ProposalToReview(
                id=proposal.pk,
                title=proposal.display_title,
                areas=tuple(proposal.research_areas),
                text=_proposal_text(proposal),
                assigned=frozenset(a.reviewer_id for a in proposal.assignments.all()),
                conflicts=conflicts,
            )
        )
    return inputs, reviewers


def compute_suggestions(call: Call, progress=None) -> engine.Suggestions:
    """Run the engine for ``call`` and store its suggestions in place of the earlier ones."""
    proposals, reviewers = load_inputs(call)
    result = engine.suggest(
        proposals, reviewers, call.reviewers_per_proposal, call.max_reviews_per_reviewer, progress=progress
    )
    with transaction.atomic():
        SuggestedAssignment.objects.filter(call=call).delete()
        SuggestedAssignment.objects.bulk_create(
            SuggestedAssignment(
                call=call,
                proposal_id=pair.proposal_id,
                reviewer_id=pair.reviewer_id,
                affinity=pair.affinity,
                reason=pair.reason[:300],
            )
            for pair in result.pairs
        )
    return result


def start_suggestions(call: Call, user, return_url: str):
    return jobs.start_job(
        user,
        JOB_KIND,
        label=f"Suggested reviewers for {call.code}",
        params={"call_id": call.pk, "return_url": return_url, "return_label": f"Back to the {call.code} panel"},
        total=call.reviewers_per_proposal,
    )


def accept_suggestions(call: Call, suggestion_ids: list[int] | None, by) -> int:
    """Turn the chosen suggestions (None: all of the call's) into assignments, all or none (panels.PanelError lists
    every reason). Returns how many were assigned."""
    suggestions = SuggestedAssignment.objects.filter(call=call).select_related("proposal__call", "reviewer")
    if suggestion_ids is not None:
        suggestions = suggestions.filter(pk__in=suggestion_ids)
    chosen = list(suggestions)
    with transaction.atomic():
        assign(
            [(s.proposal, s.reviewer) for s in chosen],
            by,
            source=AssignmentSource.SUGGESTED,
            reasons={(s.proposal_id, s.reviewer_id): s.reason for s in chosen},
        )
        SuggestedAssignment.objects.filter(pk__in=[s.pk for s in chosen]).delete()
    return len(chosen)
