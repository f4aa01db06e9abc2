"""Deliveries: signed, sent once, retried with backoff by the sweep, and the endpoint disabled after repeated
failures (with the organisation's members told); a test receiver on this machine checks the signature."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from leoportal.tasks import sweep_outboxes_task
from tests.webhooks.factories import EndpointFactory
from webhooks.domain import deliveries, endpoints
from webhooks.enums import TEST_EVENT, DeliveryStatus, Event
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does: recompute HMAC-SHA256 over "<t>.<body>" and compare with v1."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


@pytest.fixture
def registered(redwire, provider_user, receiver):
    endpoint, secret = endpoints.register(redwire, provider_user, receiver.url, Event.values, "CRM")
    return endpoint, secret


def emit(organisation, key="one", event=Event.DEMAND_CHANGED, data=None):
    return deliveries.emit(organisation.pk, event, data or {"fits": 3}, key)


def sweep(capture):
    with capture(execute=True):
        return sweep_outboxes_task()["webhooks.deliveries"]


def test_delivery_signed_over_timestamp_and_body_verified_by_the_receiver(
    registered, receiver, redwire, clock, django_capture_on_commit_callbacks
):
    _endpoint, secret = registered

    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = emit(redwire, data={"fits": 3, "to_confirm": 1})

    (request,) = receiver.requests
    header = request["headers"]["LEO-Signature"]
    assert verify(secret, header, request["body"]) is True
    assert verify("whsec_another", header, request["body"]) is False
    assert header.startswith(f"t={int(clock().timestamp())},v1=")
    assert json.loads(request["body"]) == {
        "id": str(delivery.public_id),
        "event": "listing.demand_changed",
        "created": delivery.created_at.isoformat(),
        "organisation": "redwire-space",
        "data": {"fits": 3, "to_confirm": 1},
    }
    assert (request["path"], request["headers"]["LEO-Event"], request["headers"]["LEO-Delivery"]) == (
        "/hooks/leo?source=portal",
        "listing.demand_changed",
        str(delivery.public_id),
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_response) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
        '{"received": 1}',
    )
    assert list(delivery.attempt_log.values_list("number", "status_code", "succeeded")) == [(1, 200, True)]


def test_secret_rotated_signs_with_the_new_one_only(
    registered, receiver, redwire, provider_user, django_capture_on_commit_callbacks
):
    endpoint, old = registered
    new = endpoints.rotate_secret(endpoint, provider_user)

    with django_capture_on_commit_callbacks(execute=True):
        emit(redwire)

    (request,) = receiver.requests
    header = request["headers"]["LEO-Signature"]
    assert (new != old, verify(new, header, request["body"]), verify(old, header, request["body"])) == (
        True,
        True,
        False,
    )


def test_failed_delivery_retried_with_exponential_backoff_by_the_sweep(
    registered, receiver, redwire, clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_BASE_SECONDS, settings.WEBHOOKS_RETRY_MAX_SECONDS = 60, 3600
    receiver.answers = [500, 500, 503, 200]
    start = clock()
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = emit(redwire)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at - start) == (DeliveryStatus.PENDING, timedelta(seconds=60))

    clock.advance(59)
    assert sweep(django_capture_on_commit_callbacks) == 0
    clock.advance(1)
    assert sweep(django_capture_on_commit_callbacks) == 1
    clock.advance(119)
    assert sweep(django_capture_on_commit_callbacks) == 0
    clock.advance(1)
    assert sweep(django_capture_on_commit_callbacks) == 1
    clock.advance(240)
    assert sweep(django_capture_on_commit_callbacks) == 1

    delivery.refresh_from_db()
    attempts = list(delivery.attempt_log.all())
    assert [a.status_code for a in attempts] == [500, 500, 503, 200]
    assert [int((a.started_at - start).total_seconds()) for a in attempts] == [0, 60, 180, 420]
    assert [a.error for a in attempts] == ["Answered 500.", "Answered 500.", "Answered 503.", ""]
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == (DeliveryStatus.DELIVERED, 4, 4)
    assert Endpoint.objects.get().consecutive_failures == 0


def test_backoff_doubles_up_to_the_maximum(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS, settings.WEBHOOKS_RETRY_MAX_SECONDS = 30, 200

    assert [deliveries.backoff(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 200, 200]


def test_delivery_given_up_after_the_most_attempts(
    registered, receiver, redwire, clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_ATTEMPTS, settings.WEBHOOKS_RETRY_BASE_SECONDS = 3, 10
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = emit(redwire)
    for _ in range(5):
        clock.advance(3600)
        sweep(django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == (DeliveryStatus.FAILED, 3, 3)


def test_endpoint_disabled_after_consecutive_failures_members_told_and_enabled_again(
    registered, receiver, redwire, provider_user, colleague, clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES, settings.WEBHOOKS_RETRY_BASE_SECONDS = 3, 60
    receiver.answers = [500, 500, 500, 200]
    endpoint, _secret = registered
    with django_capture_on_commit_callbacks(execute=True):
        emit(redwire, "a")
        emit(redwire, "b")
    clock.advance(60)
    sweep(django_capture_on_commit_callbacks)  # the first one's retry: the third failure in a row

    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (False, 3)
    assert endpoint.disabled_reason == "3 attempts in a row failed; the last: Answered 500."
    told = Notification.objects.filter(kind=NotificationKind.WEBHOOK_DISABLED).order_by("recipient__email")
    assert [n.recipient.email for n in told] == ["colleague@redwire.example", "provider@example.org"]
    assert told[0].subject == "A webhook of Redwire Space was disabled after repeated failures"
    assert told[0].url == endpoint.get_absolute_url()

    # Disabled: new events are kept, nothing is sent, the sweep leaves them.
    with django_capture_on_commit_callbacks(execute=True):
        emit(redwire, "c")
    clock.advance(7200)
    assert sweep(django_capture_on_commit_callbacks) == 0
    assert len(receiver.requests) == 3

    with django_capture_on_commit_callbacks(execute=True):
        waited = endpoints.enable(endpoint, provider_user)

    assert waited == 3
    assert sorted(Delivery.objects.values_list("dedupe_key", "status")) == [
        ("a", "delivered"),
        ("b", "delivered"),
        ("c", "delivered"),
    ]
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, len(receiver.requests)) == (True, 0, 6)


def test_redirect_answer_not_followed_and_counted_a_failure(
    registered, receiver, redwire, django_capture_on_commit_callbacks
):
    receiver.answers = [302]
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = emit(redwire)

    delivery.refresh_from_db()
    assert (len(receiver.requests), delivery.status, delivery.last_status_code, delivery.last_error) == (
        1,
        DeliveryStatus.PENDING,
        302,
        "Answered 302: redirects are not followed, register the final address.",
    )


def test_delivery_recorded_while_the_broker_was_down_is_sent_by_the_sweep(
    registered, receiver, redwire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the queued send never reaches a worker
        (delivery,) = emit(redwire)
    assert receiver.requests == []

    assert sweep(django_capture_on_commit_callbacks) == 1

    delivery.refresh_from_db()
    assert (delivery.status, len(receiver.requests)) == (DeliveryStatus.DELIVERED, 1)


def test_claim_of_a_worker_that_died_is_released_by_the_sweep(
    registered, receiver, redwire, clock, django_capture_on_commit_callbacks
):
    endpoint, _secret = registered
    stuck = Delivery.objects.create(
        endpoint=endpoint,
        event=Event.DEMAND_CHANGED,
        payload={},
        dedupe_key="stuck",
        status="sending",
        attempts=1,
        claimed_at=clock() - timedelta(minutes=6),
    )
    fresh = Delivery.objects.create(
        endpoint=endpoint,
        event=Event.DEMAND_CHANGED,
        payload={},
        dedupe_key="fresh",
        status="sending",
        attempts=1,
        claimed_at=clock() - timedelta(minutes=1),
    )

    assert sweep(django_capture_on_commit_callbacks) == 1

    stuck.refresh_from_db(), fresh.refresh_from_db()
    assert (stuck.status, stuck.attempts, fresh.status, len(receiver.requests)) == ("delivered", 2, "sending", 1)


def test_same_event_recorded_twice_is_one_delivery(registered, redwire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = emit(redwire, "same")
        second = emit(redwire, "same")

    assert (len(first), len(second), Delivery.objects.count()) == (1, 0, 1)


def test_event_recorded_only_for_the_endpoints_that_chose_it(redwire):
    demand = EndpointFactory(organisation=redwire, events=[Event.DEMAND_CHANGED])
    EndpointFactory(organisation=redwire, events=[Event.INTRODUCTION_RECEIVED])
    EndpointFactory(events=[Event.DEMAND_CHANGED])  # another organisation's

    recorded = emit(redwire)

    assert [delivery.endpoint for delivery in recorded] == [demand]


def test_test_event_sent_signed_like_any_other(registered, receiver, provider_user, django_capture_on_commit_callbacks):
    endpoint, secret = registered

    with django_capture_on_commit_callbacks(execute=True):
        delivery = endpoints.send_test_event(endpoint, provider_user)

    (request,) = receiver.requests
    body = json.loads(request["body"])
    assert (body["event"], body["data"]["sent_by"], request["headers"]["LEO-Event"]) == (
        TEST_EVENT,
        provider_user.display_name,
        TEST_EVENT,
    )
    assert verify(secret, request["headers"]["LEO-Signature"], request["body"]) is True
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_delivery_send_it_once(redwire, provider_user, receiver):
    endpoint, _secret = endpoints.register(redwire, provider_user, receiver.url, Event.values)
    pending = [
        Delivery.objects.create(endpoint=endpoint, event=Event.DEMAND_CHANGED, payload={"n": n}, dedupe_key=str(n))
        for n in range(5)
    ]
    results = []

    def worker(delivery_id, start):
        start.wait()
        try:
            results.append((delivery_id, deliveries.send_delivery(delivery_id)))
        finally:
            connection.close()

    for delivery in pending:
        start = threading.Barrier(2)
        threads = [threading.Thread(target=worker, args=(delivery.pk, start)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(sent for _pk, sent in results) == [False] * 5 + [True] * 5
    assert sorted(json.loads(r["body"])["data"]["n"] for r in receiver.requests) == [0, 1, 2, 3, 4]
    assert list(Delivery.objects.order_by("pk").values_list("status", "attempts")) == [("delivered", 1)] * 5


@pytest.mark.django_db(transaction=True)
def test_endpoint_deleted_while_an_attempt_is_under_way_ends_it_quietly(redwire, provider_user, receiver):
    endpoint, _secret = endpoints.register(redwire, provider_user, receiver.url, Event.values)
    delivery = Delivery.objects.create(endpoint=endpoint, event=Event.DEMAND_CHANGED, payload={}, dedupe_key="gone")

    def delete_the_endpoint():
        try:
            Endpoint.objects.filter(pk=endpoint.pk).delete()
        finally:
            connection.close()

    receiver.on_request = delete_the_endpoint

    assert deliveries.send_delivery(delivery.pk) is True
    assert (len(receiver.requests), Endpoint.objects.count(), Delivery.objects.count()) == (1, 0, 0)
