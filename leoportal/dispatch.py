"""Queue Celery tasks only once the surrounding transaction has committed.

A task queued inside a transaction that later rolls back would act on rows that never existed; one queued before
the commit could run before its rows are visible. ``on_commit`` avoids both, and outside a transaction it runs
at once.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def _send(task, args, kwargs):
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except OperationalError:
        # The broker is down. The work is not lost: the periodic sweeps find rows that still need processing
        # and queue them again once the broker is back. The request that triggered it still succeeds.
        logger.exception("could not queue %s%r; the next sweep will pick it up", task.name, args)


def dispatch(task, *args, **kwargs):
    transaction.on_commit(partial(_send, task, args, kwargs))


def retrying(*errors) -> dict:
    """Options for a task that retries ``errors`` with exponential backoff (limits from settings)."""
    return {
        "autoretry_for": errors,
        "retry_backoff": True,
        "retry_backoff_max": settings.TASK_RETRY_BACKOFF_MAX,
        "max_retries": settings.TASK_MAX_RETRIES,
    }
