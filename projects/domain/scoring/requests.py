"""Requests for scoring: recorded first (``match_requested_at``, ``RescoreRequest`` rows), then queued after the
commit, so a broker that is down delays the scoring and never loses it."""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from leoportal.dispatch import dispatch
from leoportal.fields import json_list_contains
from projects.domain.scoring.runs import rescore
from projects.models import OPEN_STATUSES, Match, Proposal, RescoreRequest
from projects.tasks import rescore_proposals_task, rescore_requested_task, score_proposal_task


def request_scoring(proposal: Proposal) -> None:
    """Record that ``proposal`` needs scoring and queue the task once the transaction commits."""
    now = timezone.now()
    Proposal.objects.filter(pk=proposal.pk).update(match_requested_at=now)
    proposal.match_requested_at = now
    dispatch(score_proposal_task, proposal.pk)


def request_rescoring(proposal_ids) -> list[int]:
    """Rescore the open ones of ``proposal_ids`` in one background run (staff asked for it); returns their ids.

    The requests are recorded first (``match_requested_at``), so if the broker is down the sweep still scores them.
    """
    ids = list(
        Proposal.objects.filter(pk__in=list(proposal_ids), status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        Proposal.objects.filter(pk__in=ids).update(match_requested_at=timezone.now())
        dispatch(rescore_proposals_task, ids)
    return ids


def request_rescoring_for_capability(capability_id: int, categories=()) -> None:
    """Record that a listing changed and queue the rescoring task (which handles every pending request at once)."""
    RescoreRequest.objects.create(capability_id=capability_id, categories=sorted(set(categories)))
    dispatch(rescore_requested_task)


def rescore_requested() -> int:
    """Rescore the open proposals that the pending listing changes could move; returns how many were rescored.

    The requests are locked (a concurrent run skips them) and deleted in the same transaction as the new results,
    so a failure leaves them for the next run.
    """
    with transaction.atomic():
        pending = RescoreRequest.objects.order_by("pk")
        if connection.vendor == "postgresql":
            pending = pending.select_for_update(skip_locked=True)
        requests = list(pending)
        if not requests:
            return 0
        ids = set()
        for request in requests:
            ids.update(proposals_affected_by(request.capability_id, request.categories))
        rescored = rescore(ids).proposals if ids else 0
        RescoreRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
    return rescored


def overdue_rescore_request_ids(now: datetime | None = None, grace: timedelta = timedelta(minutes=2)) -> list[int]:
    """Listing changes whose rescoring was never queued (or whose worker died): an outbox the sweep empties, with
    one rescoring task for them all."""
    cutoff = (now or timezone.now()) - grace
    return list(RescoreRequest.objects.filter(requested_at__lte=cutoff).values_list("pk", flat=True)[:1000])


def proposals_affected_by(capability_id: int, categories) -> list[int]:
    """Open proposals a change to a listing could move: those that need one of its kinds of hardware (before or
    after the change), those that state no needs (their needs are inferred), and those it is matched to now."""
    condition = Q(needs=[]) | Q(pk__in=Match.objects.filter(capability_id=capability_id).values("proposal_id"))
    for category in categories:
        condition |= json_list_contains("needs", category)
    return list(Proposal.objects.filter(status__in=OPEN_STATUSES).filter(condition).values_list("pk", flat=True))
