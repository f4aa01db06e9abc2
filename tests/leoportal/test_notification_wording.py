"""Notification wording lives in templates/notifications/<kind>/ (subject.txt, body.txt), rendered as plain text."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template import TemplateDoesNotExist
from django.urls import reverse

from leoportal.domain.notifications import wording
from leoportal.enums import NotificationKind
from leoportal.models import Notification
from partners.domain.organisations import notify_staff_to_verify
from tests.partners.factories import OrganisationFactory

NOTIFICATIONS = Path(settings.BASE_DIR) / "templates" / "notifications"


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_kind_has_a_subject_and_a_body_template(kind):
    folder = NOTIFICATIONS / kind

    assert ((folder / "subject.txt").is_file(), (folder / "body.txt").is_file()) == (True, True)


def test_every_template_folder_is_a_kind_and_every_event_has_both_files():
    kinds = sorted(folder.name for folder in NOTIFICATIONS.iterdir() if folder.is_dir())
    events = [folder for kind in NOTIFICATIONS.iterdir() for folder in kind.iterdir() if folder.is_dir()]

    assert kinds == sorted(NotificationKind.values)
    assert [sorted(path.name for path in event.iterdir()) for event in events] == [["body.txt", "subject.txt"]] * len(
        events
    )


def test_an_event_without_templates_fails_loudly():
    with pytest.raises(TemplateDoesNotExist):
        wording(NotificationKind.TASK_FAILED, {"name": "leoportal.send"}, event="no_such_event")


def test_an_unknown_kind_fails_loudly():
    with pytest.raises(ValueError):
        wording("no_such_kind", {})


def test_the_wording_is_plain_text_with_a_one_line_subject():
    subject, body = wording(
        NotificationKind.TASK_FAILED,
        {"name": "Smith & O'Brien <tasks>", "failure": {"exception": "ValueError: x < 1 & y > 2"}},
    )

    assert subject == "Background task failed: Smith & O'Brien <tasks>"
    assert body == (
        "Smith & O'Brien <tasks> failed after its retries with ValueError: x < 1 & y > 2. See Failed tasks in the "
        "admin."
    )


@pytest.mark.django_db
def test_a_name_with_special_characters_reaches_the_email_unescaped_and_the_page_escaped(
    client, staff, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Smith & O'Brien <Orbital>")

    with django_capture_on_commit_callbacks(execute=True):
        notify_staff_to_verify(organisation)

    notification = Notification.objects.get(recipient=staff)
    client.force_login(staff)
    page = client.get(reverse("notifications")).content.decode()
    assert notification.subject == "New provider organisation to verify: Smith & O'Brien <Orbital>"
    assert notification.body.startswith("Smith & O'Brien <Orbital> was registered. Its listings stay out")
    assert mail.outbox[0].subject == "[LEO Portal] New provider organisation to verify: Smith & O'Brien <Orbital>"
    assert ("Smith &amp; O&#x27;Brien &lt;Orbital&gt;" in page, "<Orbital>" in page) == (True, False)
