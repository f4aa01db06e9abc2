"""Staff reviews: who may review a proposal, writing a review, declaring a conflict of interest.

A reviewer may not review a proposal when
- they declared a conflict of interest with it (a row with ``conflict_of_interest`` and no scores),
- they belong to the proposal's organisation (the proposal's organisation and the reviewer's are the same name,
  ignoring case and surrounding spaces), or
- they are on the proposal's team (its principal investigator or a co-investigator with an account).

Reviews are written between submission and decision (the open statuses). Views and the admin call these
functions; the database holds the rules that need no lookup (one row per reviewer, scores present exactly when no
conflict is declared). Every change is kept by django-simple-history.
"""

from django.db import transaction
from django.db.models import Avg, OuterRef, Subquery
from django.utils import timezone

from leoportal.models import User
from leoportal.rules import is_program_staff
from projects.enums import OperationsScreen
from projects.exceptions import ReviewRefused
from projects.models import CRITERIA_FIELDS, OPEN_STATUSES, CoInvestigator, Proposal, Review, review_score_expression

REVIEWABLE_STATUSES = OPEN_STATUSES


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
    if not is_program_staff(reviewer):
        return "Only program staff review proposals."
    if proposal.status not in REVIEWABLE_STATUSES:
        return (
            f"This proposal is “{proposal.get_status_display()}”: reviews are written after submission and "
            "before the decision."
        )
    return conflict_reason(proposal, reviewer)


def own_review(proposal: Proposal, reviewer: User) -> Review | None:
    return Review.objects.filter(proposal=proposal, reviewer=reviewer).first()


@transaction.atomic
def submit_review(
    proposal: Proposal,
    reviewer: User,
    *,
    scientific_merit: int,
    need_for_microgravity: int,
    feasibility: int,
    value: int,
    operations: str,
    comment: str = "",
) -> Review:
    """Write (or revise) ``reviewer``'s review of ``proposal``; raise ReviewRefused when they may not."""
    # Lock the proposal so a conflict declared, or a decision taken, at the same moment cannot slip between the
    # check and the save.
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    refusal = review_refusal(locked, reviewer)
    if refusal:
        raise ReviewRefused(refusal)
    scores = {
        "scientific_merit": scientific_merit,
        "need_for_microgravity": need_for_microgravity,
        "feasibility": feasibility,
        "value": value,
    }
    review = own_review(locked, reviewer) or Review(proposal=locked, reviewer=reviewer)
    revising = review.pk is not None
    for name in CRITERIA_FIELDS:
        setattr(review, name, int(scores[name]))
    review.operations = OperationsScreen(operations)
    review.comment = comment.strip()
    review.updated_at = timezone.now()
    review._change_reason = "Review revised" if revising else "Reviewed"
    review.full_clean(validate_unique=False)
    review.save()
    return review


@transaction.atomic
def declare_conflict(proposal: Proposal, reviewer: User, note: str = "") -> Review:
    """Record that ``reviewer`` has a conflict of interest with ``proposal``.

    A review they already wrote becomes the declaration: its scores are cleared (the history keeps them) and no
    longer count in the average.
    """
    if not is_program_staff(reviewer):
        raise ReviewRefused("Only program staff review proposals.")
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    review = own_review(locked, reviewer) or Review(proposal=locked, reviewer=reviewer)
    if review.conflict_of_interest:
        return review
    review.conflict_of_interest = True
    for name in CRITERIA_FIELDS:
        setattr(review, name, None)
    review.operations = ""
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
