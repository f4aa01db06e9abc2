import pytest
from django.core import mail

from leoportal.domain.notifications import notify, send_email
from leoportal.enums import NotificationKind
from leoportal.models import Notification

pytestmark = pytest.mark.django_db


def announce(recipients, key="submission:1"):
    return notify(
        recipients,
        NotificationKind.SUBMISSION,
        subject="New proposal: Bioprinted cartilage",
        body="Ada Okafor submitted “Bioprinted cartilage”.",
        dedupe_key=key,
        url="/proposals/abc/",
    )


def test_notify_records_a_row_and_emails_it_with_text_and_html(staff, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://portal.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        created = announce([staff])

    notification = Notification.objects.get()
    assert created == [notification]
    assert (notification.recipient, notification.kind, notification.emailed_at is not None) == (
        staff,
        NotificationKind.SUBMISSION,
        True,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.subject, message.to) == ("[LEO Portal] New proposal: Bioprinted cartilage", ["staff@example.org"])
    assert "Open it on LEO Portal: https://portal.example.org/proposals/abc/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<a href="https://portal.example.org/proposals/abc/">' in html


def test_the_same_event_twice_notifies_once(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        announce([staff])
        again = announce([staff])

    assert again == []
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_each_recipient_gets_one_and_inactive_users_none(
    staff, researcher, outsider, django_capture_on_commit_callbacks
):
    outsider.is_active = False
    outsider.save()
    with django_capture_on_commit_callbacks(execute=True):
        announce([staff, researcher, staff, outsider])

    assert sorted(Notification.objects.values_list("recipient__email", flat=True)) == [
        "researcher@example.org",
        "staff@example.org",
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["researcher@example.org", "staff@example.org"]


def test_sending_twice_sends_once(staff):
    announce([staff])  # on_commit never fires inside the test transaction: nothing sent yet
    notification = Notification.objects.get()

    assert (send_email(notification.pk), send_email(notification.pk)) == (True, False)
    assert len(mail.outbox) == 1


def test_a_failed_send_releases_the_claim_for_the_retry(staff, settings):
    announce([staff])
    notification = Notification.objects.get()
    settings.EMAIL_BACKEND = "tests.leoportal.failing_mail.FailingBackend"

    with pytest.raises(ConnectionRefusedError):
        send_email(notification.pk)

    notification.refresh_from_db()
    assert notification.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_email(notification.pk) is True
    assert len(mail.outbox) == 1
