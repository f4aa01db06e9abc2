"""Record background tasks that fail for good, so no failure is silent.

Celery sends ``task_failure`` when a task raises and will not be retried again (retries raise ``Retry`` instead).
The handler logs it, stores a ``FailedTask`` row and notifies program staff once per task id.
"""

import json
import logging

from celery.signals import task_failure
from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)


def _jsonable(value):
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


@task_failure.connect
def record_task_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **extra):
    # Connected when Celery starts, before Django's apps are loaded: the models are imported when a task fails.
    from leoportal.domain.notifications import notify, wording  # noqa: PLC0415 -- app ready
    from leoportal.enums import NotificationKind  # noqa: PLC0415 -- app ready
    from leoportal.models import FailedTask, Notification, User  # noqa: PLC0415 -- app ready

    name = getattr(sender, "name", str(sender))
    logger.error("task %s[%s] failed for good: %r", name, task_id, exception)
    try:
        # One transaction: the failure and what it marks are seen together (or not at all).
        with transaction.atomic():
            failure, created = FailedTask.objects.get_or_create(
                task_id=task_id or "",
                defaults={
                    "task_name": name,
                    "args": _jsonable(list(args or [])),
                    "kwargs": _jsonable(dict(kwargs or {})),
                    "exception": f"{type(exception).__name__}: {exception}"[:5000],
                    "traceback": str(einfo or "")[:50000],
                },
            )
            if created and name == "leoportal.send_notification_email":
                # Mark the notification, but tell nobody by e-mail: the mail server is what failed, and a notification
                # about it would fail the same way (and report itself again).
                Notification.objects.filter(pk__in=[a for a in (args or [])[:1] if isinstance(a, int)]).update(
                    email_failed_at=failure.failed_at
                )
            elif created:
                subject, body = wording(NotificationKind.TASK_FAILED, {"name": name, "failure": failure})
                notify(
                    User.objects.program_staff(),
                    NotificationKind.TASK_FAILED,
                    subject=subject,
                    body=body,
                    dedupe_key=f"task-failed:{failure.task_id}",
                    url=f"/admin/leoportal/failedtask/{failure.pk}/change/",
                    target=failure,
                )
    except DatabaseError:
        logger.exception("could not record the failure of %s[%s]", name, task_id)
