"""Every outbox, swept by one periodic task: work recorded in a row is never lost to a broker or worker outage.

An outbox is a table whose rows each wait for a task: a notification's e-mail, an invitation's e-mail (co-investigator,
reviewer, organisation member), a webhook delivery, a proposal's scoring, a listing change's rescoring, a background
job. The row is written first and its task queued once the transaction commits (leoportal.dispatch); each task
claims its row with a conditional update before acting, so a second delivery of the same task does nothing, and
releases the claim if it fails so a retry can take it (both through ``leoportal.domain.claims``). What a broker that
was down never got, or a worker that died dropped, is still in the table: the sweep (``leoportal.sweep_outboxes``,
every minute) asks each outbox which rows are overdue and queues their task again.

An app registers its outboxes when it is ready (``AppConfig.ready``)::

    outbox.register("projects.invitations", overdue=invitations.overdue_ids, task=send_invitation_task)

``overdue(now)`` returns the ids of rows whose task should have run by ``now`` (leaving alone rows so recent that
their first task may still be on its way); ``task`` is queued with each id. ``batch=True`` queues the task once,
without an id, when anything is overdue (for a task that works through the whole table).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from leoportal.dispatch import dispatch


@dataclass(frozen=True)
class Outbox:
    name: str
    overdue: Callable[[datetime], Iterable[int]]
    task: Any  # a Celery task: called with a row's id, or with nothing for a batch outbox
    batch: bool = False


_outboxes: dict[str, Outbox] = {}


def register(name: str, *, overdue: Callable[[datetime], Iterable[int]], task: Any, batch: bool = False) -> None:
    """Have the sweep queue ``task`` for every row ``overdue(now)`` names (idempotent for the same outbox)."""
    outbox = Outbox(name, overdue, task, batch)
    if name in _outboxes and _outboxes[name] != outbox:
        raise ValueError(f"Outbox {name!r} is registered twice.")
    _outboxes[name] = outbox


def registered() -> list[str]:
    return sorted(_outboxes)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Queue the task of every overdue row of every outbox; returns how many were queued, by outbox."""
    now = now or timezone.now()
    queued = {}
    for name in registered():
        outbox = _outboxes[name]
        ids = list(outbox.overdue(now))
        if outbox.batch:
            if ids:
                dispatch(outbox.task)
        else:
            for pk in ids:
                dispatch(outbox.task, pk)
        queued[name] = len(ids)
    return queued
