import pytest
from celery import Celery
from django.conf import settings
from django.db import transaction

from leoportal.dispatch import dispatch
from leoportal.models import WorkerHeartbeat
from leoportal.tasks import heartbeat_task
from tests.utils import wait_for

APPS = ("leoportal", "projects", "partners", "webhooks")


@pytest.mark.django_db(transaction=True)
def test_task_is_dispatched_when_the_transaction_commits():
    with transaction.atomic():
        dispatch(heartbeat_task, "committed")
        assert WorkerHeartbeat.objects.filter(name="committed").exists() is False

    assert WorkerHeartbeat.objects.filter(name="committed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_task_is_not_dispatched_when_the_transaction_rolls_back():
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        dispatch(heartbeat_task, "rolled-back")
        raise Abort

    assert WorkerHeartbeat.objects.filter(name="rolled-back").exists() is False


@pytest.mark.django_db(transaction=True)
def test_dispatch_logs_and_carries_on_when_the_broker_is_down(caplog):
    unreachable = Celery("unreachable", set_as_current=False)
    unreachable.config_from_object("django.conf:settings", namespace="CELERY")
    unreachable.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)

    @unreachable.task(name="tests.never_delivered")
    def never_delivered(name):
        return name

    with transaction.atomic():
        dispatch(never_delivered, "lost")

    assert [record.getMessage() for record in caplog.records if record.name == "leoportal.dispatch"] == [
        "could not queue tests.never_delivered('lost',); the next sweep will pick it up"
    ]


@pytest.mark.worker
def test_a_real_worker_runs_a_task_sent_through_redis(live_worker):
    heartbeat_task.delay("through-redis")

    beat = wait_for(lambda: WorkerHeartbeat.objects.filter(name="through-redis").first(), timeout=30)
    assert beat.name == "through-redis"


def test_the_celery_app_runs_tasks_safely():
    """JSON only, acknowledged after the work (a lost worker's task is delivered again), time limits, every task
    found, and a beat schedule naming registered tasks."""
    from leoportal.celery import app

    app.loader.import_default_modules()
    conf = app.conf
    scheduled = {entry["task"] for entry in conf.beat_schedule.values()}

    assert (conf.task_serializer, conf.accept_content, conf.result_serializer) == ("json", ["json"], "json")
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost, conf.worker_prefetch_multiplier) == (True, True, 1)
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert sorted(scheduled - set(app.tasks)) == []
    assert {"projects.score_proposal", "leoportal.heartbeat", "leoportal.sweep_outboxes"} <= set(app.tasks)
    daily = {
        name: entry["schedule"] for name, entry in conf.beat_schedule.items() if hasattr(entry["schedule"], "hour")
    }
    assert {name: (schedule.hour, schedule.minute) for name, schedule in daily.items()} == {
        "daily-digests": ({settings.DIGEST_HOUR_UTC}, {0}),
        "nightly-rescore": ({2}, {30}),
    }
    assert conf.beat_schedule["daily-digests"]["task"] == "leoportal.send_daily_digests"
    assert conf.beat_schedule["nightly-rescore"]["task"] == "projects.rescore_stale"


def test_every_task_function_is_named_for_what_it_is_and_keeps_its_queued_name():
    """Task functions end in ``_task`` (``send_invitation_task`` queues what ``send_invitation_email`` does); the names
    Celery queues them under stay as they were, so messages already queued still find their task."""
    from leoportal.celery import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if name.split(".")[0] in APPS}

    names = {name: task.run.__name__ for name, task in ours.items()}
    assert sorted(name for name, function in names.items() if not function.endswith("_task")) == []
    assert names["projects.send_invitation"] == "send_invitation_task"
    assert {"projects.send_invitation", "partners.send_invitation_email", "webhooks.send_delivery"} <= set(ours)
