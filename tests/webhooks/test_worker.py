"""Once for real: a Celery worker through Redis sends a delivery recorded in a transaction, signed, to a receiver."""

import json

import pytest
from django.db import transaction

from tests.utils import wait_for
from tests.webhooks.test_deliveries import verify
from webhooks.domain import deliveries, endpoints
from webhooks.enums import DeliveryStatus, Event
from webhooks.models import Delivery


@pytest.fixture
def worker_may_send_to_this_machine(monkeypatch):
    """Set before the worker starts: it reads its settings from the environment."""
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "true")


@pytest.mark.worker
def test_a_real_worker_sends_a_delivery_after_the_commit_once(
    worker_may_send_to_this_machine, receiver, live_worker, redwire, provider_user
):
    _endpoint, secret = endpoints.register(redwire, provider_user, receiver.url, [Event.DEMAND_CHANGED])

    with transaction.atomic():
        (delivery,) = deliveries.emit(redwire.pk, Event.DEMAND_CHANGED, {"fits": 2}, "worker")

    wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED, timeout=60)
    (request,) = receiver.requests
    assert json.loads(request["body"])["id"] == str(delivery.public_id)
    assert verify(secret, request["headers"]["LEO-Signature"], request["body"]) is True
