"""Claims: how a worker takes one row of an outbox so that no other worker does its work, and gives it back when the
work fails.

Every outbox (``leoportal.domain.outbox``) is emptied the same way. A task, or the sweep's copy of it, claims its row
with one conditional update (``claim``) that both checks the row still waits and marks it taken: of the workers racing
for the row, the database lets one update it and the others update nothing and stop. If the work then fails (the
mail server refuses, the worker's code raises), the claim is released (``released_on_error``): the row gets its old
values back, but only while it still carries this claim's marks, so a late release never undoes a later claim. The
task's retry, or the next sweep, claims it again.

Where a worker can die while holding a claim, the claim carries its time and a claim older than the task's time limit
counts as waiting again: a background job's start (``leoportal.domain.jobs.claim``) and a webhook delivery's attempt
(``webhooks.domain.deliveries.release_stale_claims``).

The outboxes and what marks a claim:

========================  ===========================================  ========================================
outbox                    waiting while                                claimed by setting
========================  ===========================================  ========================================
notification e-mails      ``emailed_at`` is empty                      ``emailed_at``
daily digests             the user's ``digest_sent_on`` is not today   ``digest_sent_on``
invitations (all three)   ``sent_at`` is empty and the link is open    ``sent_at`` and a fresh token's hash
decision e-mails          ``sent_at`` is empty                         ``sent_at`` and who sent it
background jobs           queued, or running past the time limit       ``state``, ``started_at``, ``attempts``
webhook deliveries        pending and due                              ``status``, ``claimed_at``, ``attempts``
========================  ===========================================  ========================================
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import QuerySet


def claim(waiting: QuerySet, **marks: Any) -> bool:
    """Mark the rows of ``waiting`` (one row, filtered on what makes it claimable) with ``marks``, in one conditional
    update. Returns whether this caller took it: False when another worker did first, or it no longer waits."""
    return waiting.update(**marks) > 0


@contextmanager
def released_on_error(claimed: QuerySet, **unmarked: Any) -> Iterator[None]:
    """Do the claimed work; if it raises, set ``unmarked`` back on ``claimed`` (the row filtered on this claim's own
    marks, so a later claim is left alone) and let the error through for the task's retry."""
    try:
        yield
    except Exception:
        claimed.update(**unmarked)
        raise
