from io import StringIO

import pytest
from django.core.management import call_command

from webhooks.models import Attempt, Delivery, Endpoint

pytestmark = [pytest.mark.django_db, pytest.mark.broad]


def seed():
    call_command("seed_demo", stdout=StringIO())


def snapshot():
    return (
        list(Endpoint.objects.values_list("organisation__name", "url", "is_active", "secret")),
        sorted(Delivery.objects.values_list("event", "status", "attempts")),
        Attempt.objects.count(),
    )


def test_seed_demo_gives_redwire_a_webhook_with_settled_deliveries_and_a_second_run_changes_nothing(client):
    seed()
    first = snapshot()
    seed()

    endpoints, deliveries, attempts = first
    assert [row[:3] for row in endpoints] == [("Redwire Space", "https://hooks.redwire.example/leo-portal", True)]
    assert deliveries == [
        ("introduction.received", "delivered", 1),
        ("listing.demand_changed", "delivered", 2),
        ("webhook.test", "delivered", 1),
    ]
    assert (attempts, snapshot()) == (4, first)
    client.login(email="provider@example.org", password="leoportal-demo")
    page = client.get(Endpoint.objects.get().get_absolute_url())
    assert page.content.decode().count("data-delivery=") == 3
