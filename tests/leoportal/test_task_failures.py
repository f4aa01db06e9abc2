import pytest
from django.urls import reverse

from leoportal.celery import app
from leoportal.enums import NotificationKind
from leoportal.models import FailedTask, Notification

attempts = []


# In-process (eager) runs cannot replay retries, so this task has none: its first failure is its last. Retries
# through a real worker are exercised by the reliability tests.
@app.task(name="tests.always_fails", autoretry_for=(ConnectionError,), max_retries=0)
def always_fails(label):
    attempts.append(label)
    raise ConnectionError(f"cannot reach the service for {label}")


@pytest.mark.django_db
def test_a_task_failing_after_its_retries_is_recorded_and_staff_are_told(staff):
    attempts.clear()

    result = always_fails.apply(args=["proposal-7"], throw=False)  # as a worker runs it: the error is not raised

    assert result.state == "FAILURE"

    assert attempts == ["proposal-7"]
    failure = FailedTask.objects.get()
    assert (failure.task_name, failure.args, failure.exception) == (
        "tests.always_fails",
        ["proposal-7"],
        "ConnectionError: cannot reach the service for proposal-7",
    )
    notification = Notification.objects.get(kind=NotificationKind.TASK_FAILED)
    assert (notification.recipient, notification.subject) == (staff, "Background task failed: tests.always_fails")


@pytest.mark.django_db
def test_staff_see_failed_tasks_in_the_admin_and_can_resolve_them(client, staff):
    failure = FailedTask.objects.create(task_id="abc", task_name="tests.always_fails", exception="ConnectionError: x")
    client.force_login(staff)

    assert client.get(reverse("admin:leoportal_failedtask_changelist")).status_code == 200
    response = client.post(
        reverse("admin:leoportal_failedtask_changelist"),
        {"action": "mark_resolved", "_selected_action": [failure.pk]},
    )

    assert response.status_code == 302
    failure.refresh_from_db()
    assert failure.resolution == "resolved by staff@example.org"
