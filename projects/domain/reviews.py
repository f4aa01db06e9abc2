"""Staff reviews: who may review a proposal, writing a review, declaring a conflict of interest.

A reviewer may not review a proposal when
- they declared a conflict of interest with it (a row with ``conflict_of_interest`` and no scores),
- they belong to the proposal's organisation (the proposal's organisation and the reviewer's are the same name,
  ignoring case and surrounding spaces), or
- they are on the proposal's team (its principal investigator or a co-investigator with an account).

Program staff may review any proposal; a panel reviewer only the proposals assigned to them (projects/panels.py),
and declaring a conflict frees the assignment.

Reviews are written between submission and decision (the open statuses). An assigned reviewer first submits once
their assignment's review round has opened (projects/domain/rounds.py); before, they keep a draft. After it closes,
a late review is still accepted. Views and the admin call these functions; the database holds the rules that need
no lookup (one row per reviewer, scores present exactly when no conflict is declared). Every change is kept by
django-simple-history.
"""

from django.db import transaction
from django.db.models import Avg, OuterRef, Subquery
from django.utils import timezone

from leoportal.models import User
from leoportal.rules import is_program_staff
from projects.domain.panels import is_assigned
from projects.domain.rounds import not_open_yet
from projects.enums import OperationsScreen
from projects.exceptions import ReviewRefused
from projects.models import (
    CRITERIA_FIELDS,
    OPEN_STATUSES,
    CoInvestigator,
    Proposal,
    Review,
    ReviewAssignment,
    ReviewRound,
    review_score_expression,
)

REVIEWABLE_STATUSES = OPEN_STATUSES


class RoundNotOpen(ReviewRefused):
    """Submitting before the assignment's round opens: the review can be kept as a draft meanwhile."""


def _same_organisation(proposal: Proposal, reviewer: User) -> bool:
    theirs = (proposal.organisation or "").strip().casefold()
    mine = (reviewer.organisation or "").strip().casefold()
    return bool(theirs) and theirs == mine


def _on_team(proposal: Proposal, reviewer: User) -> bool:
    if proposal.owner_id == reviewer.pk:
        return True
    return CoInvestigator.objects.filter(proposal=proposal, user=reviewer).exists()


def conflict_reason(proposal: Proposal, reviewer: User) -> str | None:
    """Why ``reviewer`` has a conflict of interest with ``proposal`` (declared or by affiliation); None if none."""
    if Review.objects.filter(proposal=proposal, reviewer=reviewer, conflict_of_interest=True).exists():
        return "You declared a conflict of interest with this proposal, so you cannot review it."
    if _on_team(proposal, reviewer):
        return "You are on this proposal's team, so you cannot review it."
    if _same_organisation(proposal, reviewer):
        return f"You belong to {proposal.organisation.strip()}, the proposal's organisation, so you cannot review it."
    return None


def review_refusal(proposal: Proposal, reviewer: User) -> str | None:
    """Why ``reviewer`` may not write a review of ``proposal`` now; None when they may."""
    if not may_review(proposal, reviewer):
        return "Only program staff and the reviewers assigned to this proposal review it."
    if proposal.status not in REVIEWABLE_STATUSES:
        return (
            f"This proposal is “{proposal.get_status_display()}”: reviews are written after submission and "
            "before the decision."
        )
    return conflict_reason(proposal, reviewer)


def _assignment(proposal: Proposal, reviewer: User) -> ReviewAssignment | None:
    return ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).select_related("round__call").first()


def round_not_open(proposal: Proposal, reviewer: User, now=None) -> ReviewRound | None:
    """The review round of ``reviewer``'s assignment to ``proposal`` when it has not opened yet, else None."""
    assignment = _assignment(proposal, reviewer)
    return assignment.round if assignment is not None and not_open_yet(assignment, now) else None


def submission_not_open(proposal: Proposal, reviewer: User, now=None) -> str | None:
    """Why ``reviewer`` cannot submit their review of ``proposal`` yet (their round has not opened); None when they
    can. Reading the proposal and keeping a draft are open before the round is."""
    return not_open_yet(_assignment(proposal, reviewer), now)


def may_review(proposal: Proposal, user: User) -> bool:
    return bool(is_program_staff(user) or is_assigned(proposal, user))


def own_review(proposal: Proposal, reviewer: User) -> Review | None:
    return Review.objects.filter(proposal=proposal, reviewer=reviewer).first()


@transaction.atomic
def submit_review(
    proposal: Proposal,
    reviewer: User,
    *,
    operations: str,
    comment: str = "",
    **scores: int,
) -> Review:
    """Write (or revise) ``reviewer``'s review of ``proposal``, a score for each of ``CRITERIA_FIELDS``; raise
    ReviewRefused when they may not (RoundNotOpen when their round has not opened yet: nothing is saved, the caller
    may keep it as a draft)."""
    if set(scores) != set(CRITERIA_FIELDS):
        raise TypeError(f"submit_review() takes a score for each of {', '.join(CRITERIA_FIELDS)}, got {sorted(scores)}")
    # Lock the proposal so a conflict declared, or a decision taken, at the same moment cannot slip between the
    # check and the save.
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    refusal = review_refusal(locked, reviewer)
    if refusal:
        raise ReviewRefused(refusal)
    review = own_review(locked, reviewer) or Review(proposal=locked, reviewer=reviewer)
    revising = review.submitted_at is not None and not review.conflict_of_interest
    too_early = None if revising else submission_not_open(locked, reviewer)
    if too_early:
        raise RoundNotOpen(too_early)
    for name in CRITERIA_FIELDS:
        setattr(review, name, int(scores[name]))
    review.operations = OperationsScreen(operations)
    review.comment = comment.strip()
    review.conflict_of_interest = False
    review.updated_at = timezone.now()
    review.submitted_at = review.submitted_at if revising else review.updated_at
    review._change_reason = "Review revised" if revising else "Reviewed"
    review.full_clean(validate_unique=False)
    review.save()
    return review


class ReviewAlreadySubmitted(ReviewRefused):
    pass


@transaction.atomic
def save_draft(proposal: Proposal, reviewer: User, *, comment: str = "", operations: str = "", **scores) -> Review:
    """Keep ``reviewer``'s unfinished review of ``proposal``: any score may still be missing. A review already
    submitted is revised by submitting it again, never turned back into a draft."""
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    refusal = review_refusal(locked, reviewer)
    if refusal:
        raise ReviewRefused(refusal)
    review = own_review(locked, reviewer) or Review(proposal=locked, reviewer=reviewer)
    if review.submitted_at is not None:
        raise ReviewAlreadySubmitted(
            "Your review is already submitted: change it and submit it again (it stays submitted meanwhile)."
        )
    for name in CRITERIA_FIELDS:
        value = scores.get(name)
        setattr(review, name, int(value) if value not in (None, "") else None)
    review.operations = OperationsScreen(operations) if operations else ""
    review.comment = comment.strip()
    review.updated_at = timezone.now()
    review._change_reason = "Draft saved"
    review.full_clean(validate_unique=False)
    review.save()
    return review


@transaction.atomic
def declare_conflict(proposal: Proposal, reviewer: User, note: str = "") -> Review:
    """Record that ``reviewer`` has a conflict of interest with ``proposal``.

    An assignment to the proposal ends. A review they already wrote becomes the declaration: its scores are cleared
    (the history keeps them) and no longer count in the average.
    """
    if not may_review(proposal, reviewer):
        raise ReviewRefused("Only program staff and the reviewers assigned to this proposal review it.")
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    # A declared conflict frees the assignment: the proposal leaves the reviewer's sight, staff assign another.
    ReviewAssignment.objects.filter(proposal=locked, reviewer=reviewer).delete()
    review = own_review(locked, reviewer) or Review(proposal=locked, reviewer=reviewer)
    if review.conflict_of_interest:
        return review
    review.conflict_of_interest = True
    for name in CRITERIA_FIELDS:
        setattr(review, name, None)
    review.operations = ""
    review.submitted_at = None
    review.comment = note.strip()
    review.updated_at = timezone.now()
    review._change_reason = "Conflict of interest declared"
    review.save()
    return review


def review_average_subquery():
    """The proposal's review average (mean over scored reviews of their four-criteria mean), for annotations."""
    reviews = (
        Review.objects.scored()
        .filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(average=Avg(review_score_expression()))
        .values("average")
    )
    return Subquery(reviews)
