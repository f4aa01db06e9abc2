"""Deliveries: a row first, in the transaction of the event; sent by a task after the commit; retried with
exponential backoff by the sweep; the endpoint disabled after ``WEBHOOKS_DISABLE_AFTER_FAILURES`` failures in a row.

A worker claims a delivery with a conditional update (pending, due, its endpoint enabled) before sending, so two
workers racing on the same delivery send it once. A claim whose worker died is released by the sweep after
``CLAIM_TIMEOUT``; that attempt may have reached the endpoint, so receivers deduplicate on the delivery id.
"""

import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from leoportal.dispatch import dispatch
from leoportal.domain import claims
from leoportal.domain.notifications import notify, wording
from leoportal.enums import NotificationKind
from leoportal.fields import json_list_contains
from webhooks.domain.addresses import AddressError, check
from webhooks.domain.sending import SendError, post
from webhooks.domain.signing import SIGNATURE_HEADER, signature_header
from webhooks.enums import DeliveryStatus
from webhooks.models import Attempt, Delivery, Endpoint
from webhooks.tasks import send_delivery_task

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died: the sweep makes the delivery due again.
CLAIM_TIMEOUT = timedelta(minutes=5)
USER_AGENT = "LEO-Portal-Webhooks/1"


def record(endpoints, event: str, data: dict, dedupe_key: str) -> list[Delivery]:
    """Record ``event`` for each endpoint subscribed to it (once per dedupe key) and queue the sending after the
    commit. Disabled endpoints keep theirs until they are enabled again."""
    created, now = [], timezone.now()
    for endpoint in endpoints:
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    endpoint=endpoint,
                    event=event,
                    payload=data,
                    dedupe_key=dedupe_key[:200],
                    created_at=now,
                    next_attempt_at=now,
                )
        except IntegrityError:
            continue  # this event was recorded for this endpoint already
        created.append(delivery)
        if endpoint.is_active:
            dispatch(send_delivery_task, delivery.pk)
    return created


def emit(organisation_id: int, event: str, data: dict, dedupe_key: str) -> list[Delivery]:
    """Record ``event`` for every endpoint of the organisation that chose it."""
    endpoints = Endpoint.objects.filter(json_list_contains("events", event), organisation_id=organisation_id)
    return record(endpoints, event, data, dedupe_key)


def body_of(delivery: Delivery) -> bytes:
    """The exact bytes sent (the same on every attempt): the event's envelope around its data."""
    envelope = {
        "id": str(delivery.public_id),
        "event": delivery.event,
        "created": delivery.created_at.isoformat(),
        "organisation": delivery.endpoint.organisation.slug,
        "data": delivery.payload,
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: base * 2^(attempts-1), capped."""
    seconds = settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 30)
    return timedelta(seconds=min(seconds, settings.WEBHOOKS_RETRY_MAX_SECONDS))


def claim(delivery_id: int, now) -> bool:
    """Take the delivery for this worker. The conditions stay on the delivery's own columns (the endpoint is a
    subquery, not a join, which Django would turn into ``pk IN (...)``): PostgreSQL then re-reads them after waiting
    for a racing worker's claim, and the second worker updates nothing."""
    enabled = Endpoint.objects.filter(is_active=True).values("pk")
    waiting = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint_id__in=enabled
    )
    return claims.claim(waiting, status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)


def send_delivery(delivery_id: int) -> bool:
    """Make one attempt at a delivery unless another worker has it, or it is not due. Returns whether it tried."""
    now = timezone.now()
    if not claim(delivery_id, now):
        return False
    delivery = Delivery.objects.select_related("endpoint__organisation").filter(pk=delivery_id).first()
    if delivery is None:
        return False  # its endpoint was deleted just now
    attempt(delivery, claimed_at=now)
    return True


def attempt(delivery: Delivery, claimed_at) -> Attempt | None:
    """POST the signed delivery to its endpoint (checking the address again first) and record what came back."""
    endpoint = delivery.endpoint
    body = body_of(delivery)
    started, clock = timezone.now(), time.monotonic()
    status, snippet, error = None, "", ""
    try:
        target = check(endpoint.url)
        timestamp = int(started.timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "LEO-Event": delivery.event,
            "LEO-Delivery": str(delivery.public_id),
            SIGNATURE_HEADER: signature_header(endpoint.secret, timestamp, body),
        }
        answer = post(target, body, headers)
        status, snippet = answer.status, answer.snippet
        if 300 <= status < 400:
            error = f"Answered {status}: redirects are not followed, register the final address."
        elif not 200 <= status < 300:
            error = f"Answered {status}."
    except AddressError as refused:
        error = refused.message
    except SendError as failed:
        error = str(failed)
    duration = int((time.monotonic() - clock) * 1000)
    with transaction.atomic():
        if not Delivery.objects.select_for_update().filter(pk=delivery.pk).exists():
            return None  # the endpoint was deleted while this attempt was under way
        logged = Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=duration,
            status_code=status,
            response=snippet,
            error=error[:300],
            succeeded=not error,
        )
        _settle(delivery, claimed_at, logged)
    logger.info("webhook %s attempt %s: %s", delivery.public_id, delivery.attempts, error or f"delivered ({status})")
    return logged


def _settle(delivery: Delivery, claimed_at, logged: Attempt) -> None:
    now = timezone.now()
    fields = {
        "last_status_code": logged.status_code,
        "last_response": logged.response,
        "last_error": logged.error,
        "claimed_at": None,
    }
    mine = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=claimed_at)
    if logged.succeeded:
        mine.update(status=DeliveryStatus.DELIVERED, delivered_at=now, **fields)
        Endpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
        return
    if delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
        mine.update(status=DeliveryStatus.FAILED, **fields)
    else:
        mine.update(status=DeliveryStatus.PENDING, next_attempt_at=now + backoff(delivery.attempts), **fields)
    endpoint = Endpoint.objects.select_for_update().select_related("organisation").get(pk=delivery.endpoint_id)
    endpoint.consecutive_failures += 1
    endpoint.save(update_fields=["consecutive_failures", "updated_at"])
    if endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOKS_DISABLE_AFTER_FAILURES:
        _disable(endpoint, logged.error, now)


def _disable(endpoint: Endpoint, last_error: str, now) -> None:
    endpoint.is_active, endpoint.disabled_at = False, now
    endpoint.disabled_reason = (f"{endpoint.consecutive_failures} attempts in a row failed; the last: {last_error}")[
        :300
    ]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    organisation = endpoint.organisation
    subject, body = wording(
        NotificationKind.WEBHOOK_DISABLED,
        {"organisation": organisation, "endpoint": endpoint, "last_error": last_error},
    )
    notify(
        [membership.user for membership in organisation.memberships.select_related("user")],
        NotificationKind.WEBHOOK_DISABLED,
        subject=subject,
        body=body,
        dedupe_key=f"webhook-disabled:{endpoint.public_id}:{now.isoformat()}",
        url=endpoint.get_absolute_url(),
        target=endpoint,
    )


def due_delivery_ids(now=None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def overdue_delivery_ids(now=None) -> list[int]:
    """Deliveries whose attempt is due (first attempts the broker never got, retries whose backoff has passed, and
    attempts whose worker died mid-way): an outbox the sweep empties."""
    release_stale_claims(now)
    return due_delivery_ids(now)


def release_stale_claims(now=None) -> int:
    """Claims whose worker died (no answer recorded long after the claim) become due again."""
    now = now or timezone.now()
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT).update(
        status=DeliveryStatus.PENDING, claimed_at=None, next_attempt_at=now
    )
