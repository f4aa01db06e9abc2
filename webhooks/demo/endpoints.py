"""A demo webhook for seed_demo: Redwire Space's CRM endpoint with a short history of deliveries, so its page shows
what members see. Idempotent (keyed by organisation and address). The rows are written directly and every delivery
is settled, so seeding sends nothing; the address is an example that does not resolve, so events made later in the
demo fail, are retried and, after enough failures in a row, disable it as a real one would be."""

from datetime import timedelta

from django.utils import timezone

from partners.models import Organisation
from webhooks.domain.signing import new_secret
from webhooks.enums import TEST_EVENT, DeliveryStatus, Event
from webhooks.models import Attempt, Delivery, Endpoint

ORGANISATION = "Redwire Space"
URL = "https://hooks.redwire.example/leo-portal"
DESCRIPTION = "Partnership CRM: new introductions and demand on our listings"

# (event, minutes ago, the answers of its attempts)
HISTORY = [
    (TEST_EVENT, 60 * 26, [(200, '{"ok": true}')]),
    (Event.INTRODUCTION_RECEIVED, 60 * 25, [(200, '{"ok": true, "ticket": "CRM-1042"}')]),
    (Event.DEMAND_CHANGED, 60 * 3, [(503, "Service Unavailable"), (200, '{"ok": true}')]),
]


def seed(log, users) -> None:
    organisation = Organisation.objects.filter(name=ORGANISATION).first()
    if organisation is None:
        return
    endpoint, created = Endpoint.objects.get_or_create(
        organisation=organisation,
        url=URL,
        defaults={
            "events": list(Event.values),
            "description": DESCRIPTION,
            "secret": new_secret(),
            "created_by": users.get("provider@example.org"),
        },
    )
    log("webhook", f"{URL} of {ORGANISATION}", "created" if created else "unchanged")
    if not created:
        return
    now = timezone.now()
    for event, minutes, answers in HISTORY:
        at = now - timedelta(minutes=minutes)
        status, answer = answers[-1]
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            event=event,
            payload={"demo": True},
            dedupe_key=f"demo:{event}",
            status=DeliveryStatus.DELIVERED,
            attempts=len(answers),
            next_attempt_at=at,
            last_status_code=status,
            last_response=answer,
            created_at=at,
            delivered_at=at + timedelta(minutes=len(answers) - 1),
        )
        for number, (code, text) in enumerate(answers, 1):
            Attempt.objects.create(
                delivery=delivery,
                number=number,
                started_at=at + timedelta(minutes=number - 1),
                duration_ms=180,
                status_code=code,
                response=text,
                error="" if 200 <= code < 300 else f"Answered {code}.",
                succeeded=200 <= code < 300,
            )
