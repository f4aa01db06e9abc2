"""Fixtures shared by every test: a fixed cast of users, eager Celery, a clean cache, fast password hashing."""

import contextlib
import fcntl
import itertools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import coverage
import pytest
from allauth.account.internal.flows.login import record_authentication
from django.conf import settings as django_settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import connection

from leoportal.celery import app as celery_app
from tests.factories import ProviderUserFactory, ResearcherFactory, StaffFactory, UserFactory
from tests.utils import manage_output


def _scheduler_runs(total: int, processes: int) -> list[int]:
    """How pytest-xdist's worksteal scheduler first shares ``total`` tests: a consecutive run for each process, the
    first ``total // processes`` long and each next one an equal share of what is left."""
    runs = []
    for remaining in range(processes, 0, -1):
        runs.append((total - sum(runs)) // remaining)
    return runs


def slow_first(items: list, seconds: dict, processes: int) -> list:
    """``items`` reordered so that each of ``processes`` starts its first run (``_scheduler_runs``) with its share of
    the slow ones (``seconds`` by item): dealt longest first, each to the run with the fewest slow seconds so far."""
    dealt: list[list] = [[] for _ in range(processes)]
    for item in sorted(seconds, key=lambda item: -seconds[item]):
        min(dealt, key=lambda run: sum(seconds[i] for i in run)).append(item)
    rest = iter(item for item in items if item not in seconds)
    ordered = []
    for run, size in zip(dealt, _scheduler_runs(len(items), processes), strict=True):
        ordered += run + list(itertools.islice(rest, max(0, size - len(run))))
    return ordered + list(rest)


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist each process starts on a consecutive run of the collection, and processes that finish
    take tests from the end of the others' runs. A slow test (marked ``slow(seconds=...)``) left near the end of a run
    finishes alone after everything else, so the slow tests are dealt out to the start of the runs (``slow_first``).
    Without xdist the order is left as collected."""
    processes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    seconds = {item: marker.kwargs["seconds"] for item in items if (marker := item.get_closest_marker("slow"))}
    if processes >= 2 and seconds:
        items[:] = slow_first(items, seconds, processes)


# The tests left out of the inner loop (`make test-fast`, the Makefile's FAST_TESTS says the same): the browser's
# (tests/e2e, each marked e2e), the live worker's, the slow ones and the broad sweeps.
OUTSIDE_THE_INNER_LOOP = ("e2e", "worker", "slow", "broad")


def in_the_inner_loop(item) -> bool:
    return not any(item.get_closest_marker(name) for name in OUTSIDE_THE_INNER_LOOP)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Under coverage (``make test`` measures it), only the inner loop's tests are traced: the figure and its floor
    are the inner loop's, and the tests outside it, a third of the suite's processor time that coverage's tracer
    would about double on Python 3.11, run at full speed. Their setup and teardown are left out too.

    Every measurement running is stopped, not only pytest-cov's own: in a pytest-xdist process pytest-cov starts
    two, and stopping the last started resumes the one before it."""
    if in_the_inner_loop(item):
        return (yield)
    stopped = []
    while (measuring := coverage.Coverage.current()) is not None:
        measuring.stop()
        stopped.append(measuring)
    try:
        return (yield)
    finally:
        for measuring in reversed(stopped):
            measuring.start()


def _redis_of_this_process(base: str | None) -> str | None:
    """TEST_REDIS_URL for the first pytest-xdist worker, the Redis database below it for the second, and so on:
    each worker's broker queue and cache (which every test clears) are its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if not base or worker == "gw0":
        return base
    prefix, _, database = base.rstrip("/").rpartition("/")
    number = int(database) - int(worker.removeprefix("gw")) if database.isdigit() else -1
    if number < 0:
        raise pytest.UsageError(f"TEST_REDIS_URL {base!r} leaves no Redis database for pytest-xdist {worker}")
    return f"{prefix}/{number}"


# Before any cache connection or task is made: the settings read REDIS_URL when pytest-django loaded them.
_redis_url = _redis_of_this_process(os.environ.get("TEST_REDIS_URL"))
if _redis_url:
    os.environ["TEST_REDIS_URL"] = os.environ["REDIS_URL"] = _redis_url  # for the processes tests start
    django_settings.CACHES["default"]["LOCATION"] = _redis_url
    celery_app.conf.broker_url = _redis_url


@pytest.fixture(autouse=True)
def _test_environment(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tasks run in-process for logic tests; tests marked `worker` use a real worker through Redis.
    celery_app.conf.task_always_eager = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _rows_version_written_at_each_change(request):
    """A test runs in one transaction that never commits, and the desk list's stamp (rows_version) is written when a
    transaction commits: within such a test it is written at each change instead, as if each change committed
    (tests/projects/test_kept_desk_list.py tests the commit itself; transactional tests commit)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
    if transactional or (marker is None and "db" not in request.fixturenames):
        return
    request.getfixturevalue("db")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS rows_version_changed IMMEDIATE")


def _force_login_passes_the_second_factor(sender, request, user, **kwargs):
    """``client.force_login`` stands for a whole sign-in, so for an account with an authenticator app it records
    the second factor too, as allauth does when the code is entered (program staff reach nothing without it).
    Real sign-ins (a request with a method) are left to allauth: tests of the sign-in go through its pages."""
    if request is not None and request.method is None:
        factor = user.authenticator_set.filter(type__in=["totp", "webauthn"]).first()
        if factor is not None:
            record_authentication(request, user, "mfa", id=factor.pk, type=factor.type)


user_logged_in.connect(_force_login_passes_the_second_factor, dispatch_uid="tests-force-login-second-factor")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture
def researcher(db):
    return ResearcherFactory(email="researcher@example.org", organisation="Midwest Regenerative Medicine Institute")


@pytest.fixture
def researcher2(db):
    return ResearcherFactory(email="researcher2@example.org", organisation="Gulf Coast University")


@pytest.fixture
def provider_user(db):
    return ProviderUserFactory(email="provider@example.org", organisation="Redwire Space")


@pytest.fixture
def provider_user2(db):
    return ProviderUserFactory(email="provider2@example.org", organisation="Space Tango")


@pytest.fixture
def staff(db):
    return StaffFactory(email="staff@example.org", organisation="LEO Portal program office")


@pytest.fixture
def outsider(db):
    """Signed up, e-mail verified, belongs to nothing."""
    return UserFactory(email="outsider@example.org")


def run_directory(tmp_path_factory) -> Path:
    """The temporary directory of the whole test run, above each pytest-xdist process's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def once_in_the_run(tmp_path_factory, name: str):
    """Yields whether the work called ``name`` is still to do in this test run, holding a lock that the run's other
    test processes (pytest-xdist) wait on; the work is marked done when the block ends without an error."""
    shared = run_directory(tmp_path_factory)
    done = shared / f"{name}.done"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield not done.exists()
        done.touch()


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, tmp_path_factory):
    """pytest-django's test database, migrated once in the run: the first test process makes and migrates
    ``test_<name>`` and each process (pytest-xdist's gw0, gw1 ...) gets a copy of it of its own
    (``test_<name>_gw0`` ..., PostgreSQL's CREATE DATABASE ... TEMPLATE, about a second) instead of migrating its
    own (about 15 s of CPU). The copy is dropped when the process ends; the template is made afresh by the next run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if connection.vendor != "postgresql":
        pytest.fail("The suite runs on PostgreSQL: run it with `make test`.")
    with django_db_blocker.unblock(), once_in_the_run(tmp_path_factory, "test-database") as to_make:
        original_name = connection.settings_dict["NAME"]
        if to_make:
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        else:
            django_settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = (
                connection.creation._get_test_db_name()
            )
        if worker:
            connection.creation.clone_test_db(suffix=worker, verbosity=0)
            django_settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = (
                connection.creation.get_test_db_clone_settings(worker)["NAME"]
            )
    yield
    with django_db_blocker.unblock():
        connection.creation.destroy_test_db(original_name, verbosity=0)


@pytest.fixture
def migrated_sqlite(tmp_path_factory, tmp_path) -> Path:
    """A SQLite database file of this test's own with every migration applied, as `make run` makes one. Migrating
    takes about 15 s of CPU, so it is done once in the run, by whichever test process needs it first (the others wait
    on a lock), and each test gets a copy."""
    migrated = run_directory(tmp_path_factory) / "migrated.sqlite3"
    with once_in_the_run(tmp_path_factory, "migrated-sqlite") as to_make:
        if to_make:
            building = migrated.with_suffix(".building")
            building.unlink(missing_ok=True)
            manage_output("migrate", "--noinput", "-v0", DEBUG="true", DATABASE_URL=f"sqlite:///{building}")
            building.rename(migrated)
    database = tmp_path / "site.sqlite3"
    shutil.copyfile(migrated, database)
    return database


@pytest.fixture
def live_worker(transactional_db, settings):
    """A real Celery worker process consuming the test Redis broker and writing to the test database."""
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.fail("TEST_REDIS_URL is not set: run the suite with `make test`, which starts Redis.")
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("The worker tests need PostgreSQL: run the suite with `make test`.")
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "true",
        # The worker writes files (background job results) where the test reads them.
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "leoportal",
            "worker",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            f"--hostname=test-{os.getpid()}@%h",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The Celery worker did not start:\n{process.stdout.read()}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    celery_app.conf.task_always_eager = True
