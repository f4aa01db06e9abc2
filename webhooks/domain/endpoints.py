"""What an organisation's administrators do with its webhooks: register an endpoint (its signing secret shown once),
rotate the secret, enable a disabled endpoint again, send a test event, delete it. Refusals raise ``WebhookError``
or ``AddressError`` with a sentence saying what to fix."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leoportal.dispatch import dispatch
from webhooks.domain import deliveries
from webhooks.domain.addresses import check
from webhooks.domain.signing import new_secret
from webhooks.enums import TEST_EVENT, DeliveryStatus, Event
from webhooks.exceptions import WebhookError
from webhooks.models import Delivery, Endpoint
from webhooks.rules import can_manage_webhooks
from webhooks.tasks import send_delivery_task

logger = logging.getLogger(__name__)

DESCRIPTION_MAX_LENGTH = 200


def _require_admin(by, organisation) -> None:
    if not can_manage_webhooks(by, organisation):
        raise WebhookError(f"Only administrators of {organisation.name} manage its webhooks.")


def clean_events(events) -> list[str]:
    """The chosen events in a fixed order; an unknown one is refused, naming it and the events there are."""
    events = [str(event).strip() for event in events or ()]
    unknown = [event for event in events if event not in Event.values]
    if unknown:
        names = ", ".join(f"“{event}”" for event in unknown)
        there = "; ".join(f"{value} ({label.lower()})" for value, label in Event.choices)
        raise WebhookError(f"{names} is not an event the portal sends. Choose among: {there}.")
    if not events:
        raise WebhookError("Choose at least one event to be told of.")
    return [value for value in Event.values if value in events]


def register(organisation, by, url: str, events, description: str = "") -> tuple[Endpoint, str]:
    """Register an endpoint; returns it and its signing secret (shown to the person once, never again)."""
    _require_admin(by, organisation)
    chosen = clean_events(events)
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise WebhookError(f"Keep the description to {DESCRIPTION_MAX_LENGTH} characters.")
    url = url.strip()
    check(url)
    with transaction.atomic():
        type(organisation).objects.select_for_update().filter(pk=organisation.pk).first()
        if organisation.webhooks.count() >= settings.WEBHOOKS_PER_ORGANISATION:
            raise WebhookError(
                f"{organisation.name} has {settings.WEBHOOKS_PER_ORGANISATION} webhooks, the most one organisation "
                "may have: delete one it no longer uses first."
            )
        secret = new_secret()
        endpoint = Endpoint.objects.create(
            organisation=organisation, url=url, events=chosen, description=description, secret=secret, created_by=by
        )
    logger.info("webhook %s registered for %s by %s", endpoint.public_id, organisation.slug, by.pk)
    return endpoint, secret


def rotate_secret(endpoint: Endpoint, by) -> str:
    """A new signing secret; the old one stops signing at once. Returns the new one (shown once)."""
    _require_admin(by, endpoint.organisation)
    secret = new_secret()
    Endpoint.objects.filter(pk=endpoint.pk).update(secret=secret, secret_rotated_at=timezone.now())
    endpoint.secret = secret
    logger.info("webhook %s secret rotated by %s", endpoint.public_id, by.pk)
    return secret


def enable(endpoint: Endpoint, by) -> int:
    """Send to a disabled endpoint again; the deliveries that waited become due now. Returns how many waited."""
    _require_admin(by, endpoint.organisation)
    if endpoint.is_active:
        raise WebhookError("This webhook is enabled already.")
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(
            is_active=True, consecutive_failures=0, disabled_at=None, disabled_reason="", updated_at=timezone.now()
        )
        waiting = list(
            Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=waiting).update(next_attempt_at=timezone.now())
        for delivery_id in waiting:
            dispatch(send_delivery_task, delivery_id)
    endpoint.refresh_from_db()
    return len(waiting)


def send_test_event(endpoint: Endpoint, by) -> Delivery:
    """Record a test event for ``endpoint`` and send it like any other (signed, logged, retried)."""
    _require_admin(by, endpoint.organisation)
    if not endpoint.is_active:
        raise WebhookError("This webhook is disabled: enable it first, then send a test event.")
    now = timezone.now()
    data = {"message": "A test event sent from the webhook's page.", "sent_by": by.display_name}
    with transaction.atomic():
        (delivery,) = deliveries.record([endpoint], TEST_EVENT, data, f"test:{now.isoformat()}:{by.pk}")
    return delivery


def delete(endpoint: Endpoint, by) -> None:
    _require_admin(by, endpoint.organisation)
    logger.info("webhook %s deleted by %s", endpoint.public_id, by.pk)
    endpoint.delete()
