"""Notifications: a row first, an e-mail second.

``notify`` records one notification per recipient, keyed by a dedupe key so that a task retried after a crash, or
the same event reported twice, never creates (or e-mails) a second one. The e-mail is sent by a Celery task queued
after the transaction commits; the task claims the row with a conditional update before sending, so two workers
racing on the same row send once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import timezone

from leoportal.dispatch import dispatch
from leoportal.domain import claims
from leoportal.domain.emails import build_email
from leoportal.domain.page_cache import forget_now_and_on_commit
from leoportal.enums import Delivery, NotificationKind
from leoportal.models import Notification, NotificationPreference, User
from leoportal.tasks import send_notification_email_task
from leoportal.text import single_line

logger = logging.getLogger(__name__)


# Which kinds each audience can receive: the settings page offers only these.
STAFF_KINDS = [
    NotificationKind.SUBMISSION,
    NotificationKind.STRONG_MATCH,
    NotificationKind.INTRODUCTION_ANSWER,
    NotificationKind.ORGANISATION_TO_VERIFY,
    NotificationKind.TASK_FAILED,
]
RESEARCHER_KINDS = [
    NotificationKind.STATUS_CHANGE,
    NotificationKind.INTRODUCTION_ANSWER,
    NotificationKind.DEADLINE_REMINDER,
]
PROVIDER_KINDS = [NotificationKind.INTRODUCTION, NotificationKind.WEBHOOK_DISABLED]
REVIEWER_KINDS = [NotificationKind.REVIEW_OVERDUE]


def kinds_for(user) -> list[NotificationKind]:
    if user.is_staff:
        return STAFF_KINDS
    if user.is_reviewer:
        return REVIEWER_KINDS
    return PROVIDER_KINDS if user.is_provider else RESEARCHER_KINDS


def deliveries_for(users, kind) -> dict[int, str]:
    """How each of ``users`` wants ``kind`` delivered, in one query (no preference row means at once)."""
    chosen = dict(NotificationPreference.objects.filter(user__in=users, kind=kind).values_list("user_id", "delivery"))
    return {user.pk: chosen.get(user.pk, Delivery.IMMEDIATE) for user in users}


def set_preferences(user, choices: dict[str, str]) -> None:
    for kind, delivery in choices.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def wording(kind: str, context: dict, *, event: str = "") -> tuple[str, str]:
    """A notification's subject and body, from ``templates/notifications/<kind>/subject.txt`` and ``body.txt`` (a
    kind with more than one message keeps the others in ``<kind>/<event>/``).

    The wording is plain text, rendered without HTML escaping: "Smith & Sons" stays so in the e-mail, and the
    notifications page escapes it when it shows it. A missing template raises TemplateDoesNotExist.
    """
    folder = f"notifications/{NotificationKind(kind).value}/{event + '/' if event else ''}"
    engine = Engine.get_default()
    plain = Context(context, autoescape=False)
    subject = engine.get_template(f"{folder}subject.txt").render(plain)
    body = engine.get_template(f"{folder}body.txt").render(plain)
    return single_line(subject), body.strip()


def notify(recipients, kind, *, subject, body, dedupe_key, url="", target=None) -> list[Notification]:
    """Record a notification for each recipient (once per dedupe key) and queue the immediate e-mails."""
    content_type = ContentType.objects.get_for_model(target) if target is not None else None
    object_id = str(target.pk) if target is not None else ""
    unique = list({user.pk: user for user in recipients if user is not None and user.is_active}.values())
    deliveries = deliveries_for(unique, kind)
    created = []
    for recipient in unique:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    subject=single_line(subject)[:300],
                    body=body,
                    url=url,
                    content_type=content_type,
                    object_id=object_id,
                    dedupe_key=dedupe_key[:200],
                    delivery=deliveries[recipient.pk],
                )
        except IntegrityError:
            continue  # already notified about this event
        created.append(notification)
        if notification.delivery == Delivery.IMMEDIATE:
            dispatch(send_notification_email_task, notification.pk)
    return created


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def send_email(notification_id: int) -> bool:
    """Send one notification's e-mail unless it was already sent. Returns whether this call sent it."""
    now = timezone.now()
    row = Notification.objects.filter(pk=notification_id)
    if not claims.claim(row.filter(emailed_at__isnull=True), emailed_at=now):
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    context = {"notification": notification, "link": absolute_url(notification.url) if notification.url else ""}
    message = build_email(
        subject=notification.subject,
        text=render_to_string("emails/notification.txt", context),
        html=render_to_string("emails/notification.html", context),
        to=notification.recipient.email,
    )
    with claims.released_on_error(row.filter(emailed_at=now), emailed_at=None):  # the retry sends it
        message.send()
    return True


def mark_read(user, notification_ids=None) -> int:
    """Mark the user's unread notifications (all, or those given) read; returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    changed = unread.update(read_at=timezone.now())
    forget_unread_count(user.pk)
    return changed


# Every page's menu shows the unread count: kept per user, forgotten whenever one of their notifications is added,
# read, changed or deleted.
UNREAD_SECONDS = 300


def unread_count(user) -> int:
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_SECONDS)
    return count


def forget_unread_count(user_id: int) -> None:
    forget_now_and_on_commit(_unread_key(user_id))


@receiver(post_save, sender=Notification, dispatch_uid="forget-unread-on-save")
@receiver(post_delete, sender=Notification, dispatch_uid="forget-unread-on-delete")
def _notification_changed(sender, instance, **kwargs) -> None:
    forget_unread_count(instance.recipient_id)


def _unread_key(user_id: int) -> str:
    return f"unread-notifications:{user_id}"


def users_due_a_digest(today):
    pending = Notification.objects.filter(delivery=Delivery.DIGEST, digested_at__isnull=True)
    return (
        User.objects.filter(is_active=True, pk__in=pending.values("recipient_id"))
        .exclude(digest_sent_on=today)
        .values_list("pk", flat=True)
    )


def send_digest(user_id: int, today) -> bool:
    """Send ``user_id`` today's digest, at most once per day whoever else runs at the same time.

    The claim is a conditional update of the user's ``digest_sent_on``: of two schedulers or workers racing, one
    updates the row and sends, the other updates nothing and stops.
    """
    user = User.objects.get(pk=user_id)
    previous = user.digest_sent_on
    row = User.objects.filter(pk=user_id)
    if not claims.claim(row.filter(digest_sent_on=previous).exclude(digest_sent_on=today), digest_sent_on=today):
        return False
    pending = list(
        Notification.objects.filter(recipient_id=user_id, delivery=Delivery.DIGEST, digested_at__isnull=True).order_by(
            "created_at", "id"
        )
    )
    if not pending:
        return False
    items = [{"notification": n, "link": absolute_url(n.url) if n.url else ""} for n in pending]
    context = {"user": user, "items": items, "today": today}
    message = build_email(
        subject=single_line(render_to_string("emails/digest_subject.txt", context)),
        text=render_to_string("emails/digest.txt", context),
        html=render_to_string("emails/digest.html", context),
        to=user.email,
    )
    with claims.released_on_error(row.filter(digest_sent_on=today), digest_sent_on=previous):
        message.send()
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(digested_at=timezone.now())
    return True


EMAIL_GRACE = timedelta(minutes=5)  # the e-mail task queued with a notification may still be on its way
EMAIL_MAX_AGE = timedelta(days=2)  # older news stays on the site: an e-mail days late would mislead


def overdue_email_ids(now: datetime | None = None, grace: timedelta = EMAIL_GRACE) -> list[int]:
    """Immediate notifications whose e-mail was never sent nor failed for good (queued while the broker was down):
    an outbox the periodic sweep empties (leoportal.domain.outbox)."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            delivery=Delivery.IMMEDIATE,
            emailed_at__isnull=True,
            email_failed_at__isnull=True,
            created_at__lte=now - grace,
            created_at__gte=now - EMAIL_MAX_AGE,
        ).values_list("pk", flat=True)
    )
