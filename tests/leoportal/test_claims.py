"""The one way an outbox's row is taken and given back (leoportal.domain.claims)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leoportal.domain import claims
from leoportal.enums import Delivery, NotificationKind
from leoportal.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def notification(staff):
    return Notification.objects.create(
        recipient=staff,
        kind=NotificationKind.SUBMISSION,
        subject="New proposal",
        body="A proposal was submitted.",
        dedupe_key="claims:1",
        delivery=Delivery.IMMEDIATE,
    )


def waiting(notification):
    return Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True)


def test_of_two_claims_on_a_waiting_row_only_the_first_takes_it(notification):
    first, second = timezone.now(), timezone.now() + timedelta(seconds=1)

    assert claims.claim(waiting(notification), emailed_at=first) is True
    assert claims.claim(waiting(notification), emailed_at=second) is False

    notification.refresh_from_db()
    assert notification.emailed_at == first


def test_work_that_fails_gives_the_row_back_and_the_error_goes_on(notification):
    now = timezone.now()
    claims.claim(waiting(notification), emailed_at=now)

    with (
        pytest.raises(ConnectionRefusedError),
        claims.released_on_error(Notification.objects.filter(pk=notification.pk, emailed_at=now), emailed_at=None),
    ):
        raise ConnectionRefusedError("the mail server is down")

    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert claims.claim(waiting(notification), emailed_at=now) is True  # the retry can take it again


def test_work_that_succeeds_keeps_the_claim(notification):
    now = timezone.now()
    claims.claim(waiting(notification), emailed_at=now)

    with claims.released_on_error(Notification.objects.filter(pk=notification.pk, emailed_at=now), emailed_at=None):
        pass

    notification.refresh_from_db()
    assert notification.emailed_at == now


def test_a_late_release_leaves_a_later_claim_alone(notification):
    earlier, later = timezone.now(), timezone.now() + timedelta(minutes=10)
    claims.claim(waiting(notification), emailed_at=earlier)
    Notification.objects.filter(pk=notification.pk).update(emailed_at=later)  # released and claimed again since

    with (
        pytest.raises(TimeoutError),
        claims.released_on_error(Notification.objects.filter(pk=notification.pk, emailed_at=earlier), emailed_at=None),
    ):
        raise TimeoutError

    notification.refresh_from_db()
    assert notification.emailed_at == later
