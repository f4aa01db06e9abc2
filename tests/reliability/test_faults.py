"""Faults, with nothing lost: a broker that goes away, a worker that dies, a dropped database connection, a task
that keeps failing. Real PostgreSQL, a private Redis server and real Celery worker processes."""

import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from devtools import volume
from leoportal.domain.notifications import notify, overdue_email_ids
from leoportal.enums import NotificationKind
from leoportal.models import FailedTask, Notification
from leoportal.tasks import sweep_outboxes_task
from partners.domain.importing import import_capabilities
from projects.domain import scoring
from projects.enums import ProposalStatus
from projects.models import Match, Proposal
from projects.tasks import rescore_proposals_task
from tests.projects.factories import NarrativeFactory, ProposalFactory
from tests.reliability.conftest import free_port, sent_messages
from tests.utils import form_data, later, wait_for

pytestmark = pytest.mark.worker

CATALOGUE = Path(settings.BASE_DIR) / "partners" / "data" / "iss-facilities.json"


def submit_through_the_site(client, proposal):
    """Press "Save and submit" on the proposal's form, as the researcher's browser would."""
    edit_url = reverse("projects:proposal_edit", args=[proposal.public_id])
    data = form_data(client.get(edit_url), "#proposal-form")
    data["action"] = ["submit"]
    return client.post(edit_url, data)


def test_submissions_while_redis_is_down_are_saved_then_scored_and_announced_once(
    redis_server, make_worker, mail_dir, researcher, staff
):
    import_capabilities(CATALOGUE.read_bytes())
    drafts = [ProposalFactory(owner=researcher, complete=True) for _ in range(3)]
    for draft in drafts:
        NarrativeFactory(proposal=draft)
    make_worker()
    client = Client()
    client.force_login(researcher)

    redis_server.stop()
    responses = [submit_through_the_site(client, draft) for draft in drafts]

    assert [(r.status_code, r.url) for r in responses] == [
        (302, reverse("projects:proposal_detail", args=[d.public_id])) for d in drafts
    ]
    assert (
        list(Proposal.objects.filter(pk__in=[d.pk for d in drafts]).values_list("status", flat=True))
        == [ProposalStatus.SUBMITTED] * 3
    )
    assert Match.objects.count() == 0
    announcements = Notification.objects.filter(kind=NotificationKind.SUBMISSION, recipient=staff)
    assert (announcements.count(), announcements.filter(emailed_at__isnull=True).count()) == (3, 3)

    redis_server.start()  # the worker reconnects on its own
    sweep_outboxes_task.delay(later())

    wait_for(lambda: all(Match.objects.filter(proposal=d).exists() for d in drafts), timeout=90)
    wait_for(lambda: not announcements.filter(emailed_at__isnull=True).exists(), timeout=60)
    sweep_outboxes_task.delay(later())  # a second sweep finds nothing left to send
    emailed = Notification.objects.filter(emailed_at__isnull=False)

    def expected():
        return sorted((n.recipient.email, f"[LEO Portal] {n.subject}") for n in emailed)

    # Scoring also tells staff of strong matches (those rows are written with the matches, so they exist now) and
    # they are e-mailed a moment later: wait until no notification is left unsent and every one e-mailed has reached
    # the mail directory, and nothing more (a message sent twice never makes the two lists equal).
    unsent = Notification.objects.filter(emailed_at__isnull=True)
    wait_for(lambda: not unsent.exists() and sent_messages(mail_dir) == expected(), timeout=60)
    assert sent_messages(mail_dir) == expected()
    assert emailed.filter(kind=NotificationKind.SUBMISSION).count() == 3


@pytest.mark.slow(seconds=25)
def test_a_worker_killed_mid_rescoring_is_redelivered_and_gives_the_same_result(
    redis_server, make_worker, mail_dir, staff, settings
):
    settings.MATCH_STRONG_SCORE, settings.SCORING_BATCH_SIZE = 95, 150
    volume.create_volume(proposals=600, capabilities=400, seed=3, log=lambda *args: None)
    worker_settings = {"CELERY_VISIBILITY_TIMEOUT": 4, "MATCH_STRONG_SCORE": 95, "SCORING_BATCH_SIZE": 150}
    worker = make_worker(**worker_settings)

    rescore_proposals_task.delay(list(Proposal.objects.values_list("pk", flat=True)))
    scored = Proposal.objects.filter(matched_at__isnull=False)
    wait_for(lambda: scored.exists(), timeout=120)  # the first of four batches is committed: the task is mid-way
    worker.kill()
    killed_after = scored.count()
    assert 0 < killed_after < 600

    make_worker(**worker_settings)  # a fresh worker picks the message up again
    wait_for(lambda: scored.count() == 600, timeout=240)
    redelivered = set(Match.objects.values_list("proposal_id", "capability_id", "rank", "score", "fit"))
    notified = Notification.objects.filter(kind=NotificationKind.STRONG_MATCH).count()

    scoring.rescore()  # the same work, uninterrupted, in this process
    uninterrupted = set(Match.objects.values_list("proposal_id", "capability_id", "rank", "score", "fit"))

    assert redelivered == uninterrupted
    assert Notification.objects.filter(kind=NotificationKind.STRONG_MATCH).count() == notified
    emailed = Notification.objects.filter(emailed_at__isnull=False)
    wait_for(lambda: len(sent_messages(mail_dir)) >= emailed.count(), timeout=60)
    # Each notification e-mailed exactly once, however often its proposal was scored.
    assert sent_messages(mail_dir) == sorted((n.recipient.email, f"[LEO Portal] {n.subject}") for n in emailed)


@pytest.mark.slow(seconds=35)
def test_the_site_recovers_when_its_database_connections_are_dropped(transactional_db, tmp_path):
    """gunicorn keeps database connections open between requests (CONN_MAX_AGE); when PostgreSQL drops them, the
    next request checks the connection, reconnects and answers normally."""
    db = connection.settings_dict
    connection.ensure_connection()
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "a-test-secret-key-that-is-long-enough-for-production-settings-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DATABASE_CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=settings.BASE_DIR, env=env, check=True
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "leoportal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _get(port, "/healthz") == 200, timeout=30)
        assert _get(port, "/") == 200  # a page that reads the database: gunicorn keeps its connection open
        with psycopg.connect(
            dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
        ) as admin:
            dropped = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                [db["NAME"], connection.connection.info.backend_pid],
            ).fetchall()
        assert len(dropped) >= 1  # gunicorn's kept connection

        assert [_get(port, "/healthz"), _get(port, "/"), _get(port, "/catalogue/")] == [200, 200, 200]
    finally:
        server.terminate()
        server.wait(10)


def _get(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def test_a_task_that_keeps_failing_ends_visible_to_staff(redis_server, make_worker, staff):
    closed_port = free_port()
    make_worker(EMAIL_URL=f"smtp://127.0.0.1:{closed_port}", TASK_MAX_RETRIES=2, TASK_RETRY_BACKOFF_MAX=1)

    (notification,) = notify(
        [staff],
        NotificationKind.SUBMISSION,
        subject="New proposal",
        body="A proposal was submitted.",
        dedupe_key="fault:submission",
    )  # outside a transaction: the e-mail is queued at once

    failure = wait_for(lambda: FailedTask.objects.filter(task_name="leoportal.send_notification_email").first(), 90)
    notification.refresh_from_db()
    assert failure.args == [notification.pk]
    assert failure.exception.startswith("ConnectionRefusedError")
    assert (notification.emailed_at, notification.email_failed_at is not None) == (None, True)
    # The failure of an e-mail is not announced by e-mail (it would fail the same way): staff see it in the admin.
    assert Notification.objects.filter(kind=NotificationKind.TASK_FAILED).count() == 0
    assert notification.pk not in overdue_email_ids(grace=timedelta(0))  # and the sweep does not send it again
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("admin:leoportal_failedtask_changelist")).content.decode()
    assert "leoportal.send_notification_email" in page


def test_stale_notification_sweep_window(db, staff):
    notify([staff], NotificationKind.SUBMISSION, subject="s", body="b", dedupe_key="old")
    Notification.objects.update(created_at=timezone.now() - timedelta(days=3))

    assert (
        sweep_outboxes_task(later())["leoportal.notification_emails"] == 0
    )  # too old to send now: it stays on the site
