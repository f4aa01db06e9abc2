"""Program staff see every organisation's webhooks and deliveries in the admin, read-only, without their secrets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.webhooks.factories import EndpointFactory
from webhooks.domain import deliveries
from webhooks.enums import Event
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def add_rows(count):
    for n in range(count):
        endpoint = EndpointFactory()
        (delivery,) = deliveries.record([endpoint], Event.DEMAND_CHANGED, {"n": n}, f"k{n}")
        delivery.attempt_log.create(number=1, started_at=delivery.created_at, status_code=500, error="Answered 500.")


def changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:webhooks_{model}_changelist"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", ["endpoint", "delivery"])
def test_admin_changelists_have_a_constant_query_count(staff_client, model):
    add_rows(2)
    few = changelist_queries(staff_client, model)
    add_rows(12)
    assert changelist_queries(staff_client, model) == few


def test_admin_never_shows_the_signing_secret(staff_client):
    endpoint = EndpointFactory()
    (delivery,) = deliveries.record([endpoint], Event.DEMAND_CHANGED, {"n": 1}, "k")

    pages = [
        staff_client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])),
        staff_client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk])),
        staff_client.get(reverse("admin:webhooks_endpoint_changelist")),
    ]

    assert [(page.status_code, endpoint.secret in page.content.decode()) for page in pages] == [(200, False)] * 3
    assert Delivery.objects.count() == 1
