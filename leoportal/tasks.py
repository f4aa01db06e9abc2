import smtplib
from datetime import date, datetime

from celery import shared_task
from django.utils import timezone

from leoportal.dispatch import retrying

# Tasks are leaves: each imports its domain module inside its body, so the domain modules can import these tasks at
# the top of their files to queue them.


@shared_task(name="leoportal.heartbeat")
def heartbeat_task(name: str = "worker") -> str:
    """Record that a worker is alive and consuming the queue (run by beat every minute)."""
    from leoportal.models import WorkerHeartbeat  # noqa: PLC0415 -- leaf

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": now})
    return now.isoformat()


@shared_task(
    name="leoportal.send_notification_email",
    **retrying(OSError, smtplib.SMTPException),
)
def send_notification_email_task(notification_id: int) -> bool:
    from leoportal.domain import notifications  # noqa: PLC0415 -- leaf

    return notifications.send_email(notification_id)


@shared_task(name="leoportal.send_daily_digests")
def send_daily_digests_task() -> int:
    """Queue one digest task per user with undigested notifications (run daily by beat; safe to run twice)."""
    from leoportal.domain import notifications  # noqa: PLC0415 -- leaf

    today = timezone.localdate()
    user_ids = list(notifications.users_due_a_digest(today))
    for user_id in user_ids:
        send_user_digest_task.delay(user_id, today.isoformat())
    return len(user_ids)


@shared_task(
    name="leoportal.send_user_digest",
    **retrying(OSError, smtplib.SMTPException),
)
def send_user_digest_task(user_id: int, day: str) -> bool:
    from leoportal.domain import notifications  # noqa: PLC0415 -- leaf
    from leoportal.models import User  # noqa: PLC0415 -- leaf

    if not User.objects.filter(pk=user_id).exists():
        return False
    return notifications.send_digest(user_id, date.fromisoformat(day))


# --- Background jobs (leoportal.domain.jobs) --------------------------------------------------------------------------


@shared_task(name="leoportal.run_background_job")
def run_background_job_task(job_id: int) -> bool:
    """Run one background job (claimed first, so a duplicate delivery runs nothing)."""
    from leoportal.domain import jobs  # noqa: PLC0415 -- leaf

    return jobs.run_job(job_id)


@shared_task(name="leoportal.expire_job_results")
def expire_job_results_task() -> int:
    """Delete background jobs' result files past their retention."""
    from leoportal.domain import jobs  # noqa: PLC0415 -- leaf

    return jobs.expire_results()


@shared_task(name="leoportal.sweep_outboxes")
def sweep_outboxes_task(now: str | None = None) -> dict[str, int]:
    """Queue again the task of every row of every outbox whose task never ran (the broker was down, a worker died):
    notification e-mails, invitations, webhook deliveries, scoring, background jobs (leoportal.domain.outbox).
    ``now`` (ISO 8601) lets a caller look ahead past the outboxes' grace periods."""
    from leoportal.domain import outbox  # noqa: PLC0415 -- leaf

    return outbox.sweep(datetime.fromisoformat(now) if now else None)
