"""One sweep over every outbox: what it covers, how it queues, and that it stays one registry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leoportal.domain import outbox
from leoportal.tasks import sweep_outboxes_task

EVERY_OUTBOX = {
    "leoportal.jobs",
    "leoportal.notification_emails",
    "partners.invitations",
    "projects.invitations",
    "projects.rescore_requests",
    "projects.reviewer_invitations",
    "projects.scoring",
    "webhooks.deliveries",
}


class RecordingTask:
    def __init__(self, name):
        self.name = name
        self.calls = []

    def apply_async(self, args, kwargs):
        self.calls.append(args)


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(outbox, "_outboxes", {})


def test_every_outbox_is_swept():
    assert set(outbox.registered()) == EVERY_OUTBOX


@pytest.mark.django_db
def test_the_sweep_reports_every_outbox_even_when_nothing_is_overdue():
    assert sweep_outboxes_task() == dict.fromkeys(EVERY_OUTBOX, 0)


@pytest.mark.django_db
def test_the_sweep_queues_each_overdue_row_once_and_a_batch_outbox_once(registry, django_capture_on_commit_callbacks):
    send, rescore = RecordingTask("send"), RecordingTask("rescore")
    asked = []

    def overdue(now):
        asked.append(now)
        return [3, 5]

    outbox.register("tests.rows", overdue=overdue, task=send)
    outbox.register("tests.batch", overdue=lambda now: [7, 8, 9], task=rescore, batch=True)
    outbox.register("tests.empty", overdue=lambda now: [], task=RecordingTask("never"), batch=True)
    moment = timezone.now() + timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        queued = outbox.sweep(moment)

    assert queued == {"tests.batch": 3, "tests.empty": 0, "tests.rows": 2}
    assert (send.calls, rescore.calls, asked) == ([(3,), (5,)], [()], [moment])


def test_an_outbox_is_registered_once(registry):
    task = RecordingTask("send")

    def overdue(now):
        return []

    outbox.register("tests.rows", overdue=overdue, task=task)
    outbox.register("tests.rows", overdue=overdue, task=task)  # the same again (a second ready()): fine

    with pytest.raises(ValueError, match="registered twice"):
        outbox.register("tests.rows", overdue=overdue, task=RecordingTask("other"))
    assert outbox.registered() == ["tests.rows"]
