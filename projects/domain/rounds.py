"""Review rounds: which round a new assignment joins, when a reviewer may submit, and how each round is going.

A call's panel reviews in rounds (``ReviewRound``), each open from ``opens_at`` and due at ``closes_at``; they follow
one another without overlapping. An assignment joins the round open when it is made, else the next one to open,
else none (no due date). Before its round opens a reviewer reads the proposal and keeps a draft, but cannot submit;
after it closes, a late review is still accepted (programs want it) and shows as overdue until it is in.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from projects.models import OPEN_STATUSES, Call, Review, ReviewAssignment, ReviewRound


def current_round(call: Call | None, now=None) -> ReviewRound | None:
    """The call's round open at ``now``, else the next one to open, else None."""
    if call is None:
        return None
    now = now or timezone.now()
    return ReviewRound.objects.filter(call=call, closes_at__gt=now).order_by("opens_at", "pk").first()


def not_open_yet(assignment: ReviewAssignment | None, now=None) -> str | None:
    """Why the assignment's review cannot be submitted yet (its round has not opened), addressed to the reviewer;
    None when it can."""
    review_round = assignment.round if assignment is not None else None
    now = now or timezone.now()
    if review_round is None or now >= review_round.opens_at:
        return None
    return (
        f"Reviews for {review_round.call.code} ({review_round.name}) open on "
        f"{review_round.opens_at:%-d %B %Y at %H:%M} UTC: you can submit yours from then. Until then what you "
        "wrote is kept as your draft."
    )


def submitted_review_of_assignment():
    """The assigned reviewer's submitted review, for an Exists() over review assignments."""
    return Review.objects.filter(
        proposal=OuterRef("proposal"), reviewer=OuterRef("reviewer"), submitted_at__isnull=False
    )


def overdue_q(now=None) -> Q:
    """Over assignments: due (their round closed) and still awaited, the proposal still under consideration."""
    now = now or timezone.now()
    awaited = ~Q(Exists(submitted_review_of_assignment()))
    return Q(round__closes_at__lt=now, proposal__status__in=OPEN_STATUSES) & awaited


@dataclass(frozen=True)
class RoundProgress:
    round: ReviewRound
    assigned: int
    submitted: int
    overdue: int

    @property
    def is_open(self) -> bool:
        return self.round.opens_at <= timezone.now() < self.round.closes_at


def rounds_of(call: Call, now=None) -> list[RoundProgress]:
    """The call's rounds in order, each with its assignments (of proposals still under consideration), the reviews
    submitted and those overdue (two queries)."""
    now = now or timezone.now()
    submitted = Q(Exists(submitted_review_of_assignment()))
    figures = {
        round_id: (assigned, done, overdue)
        for round_id, assigned, done, overdue in ReviewAssignment.objects.filter(
            round__call=call, proposal__status__in=OPEN_STATUSES
        )
        .order_by()
        .values_list("round")
        .annotate(
            assigned=Count("pk"),
            done=Count("pk", filter=submitted),
            overdue=Count("pk", filter=~submitted & Q(round__closes_at__lt=now)),
        )
        .values_list("round", "assigned", "done", "overdue")
    }
    return [
        RoundProgress(review_round, *figures.get(review_round.pk, (0, 0, 0)))
        for review_round in ReviewRound.objects.filter(call=call).order_by("opens_at", "pk")
    ]
