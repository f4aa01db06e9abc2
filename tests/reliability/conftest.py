"""Fault tests run against a private Redis server and real Celery workers, so they can stop and kill them freely
without disturbing anything else on the machine (or another test run sharing the local Redis)."""

import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import kombu.pools
import pytest
from django.db import connection

from leoportal.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (Debian: apt-get install redis-server).")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        pytest.fail("the private Redis server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def use_broker(url: str) -> None:
    """Point this process's Celery app at ``url`` (dropping connections made to the previous broker)."""
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    # Close the pooled connections and forget the pools: kombu keeps them in registries keyed by broker, and a
    # pool closed but left there fails every later task sent to that broker ("Acquire on closed pool").
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    original = celery_app.conf.broker_url
    use_broker(server.url)
    yield server
    server.stop()
    use_broker(original)
    celery_app.conf.task_always_eager = True


class Worker:
    """A Celery worker process (prefork, one child) on the private broker and the test database."""

    def __init__(self, broker_url: str, mail_dir: Path, **settings):
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": (
                f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "REDIS_URL": broker_url,
            "EMAIL_URL": f"filemail://{mail_dir}",
            "DEFAULT_FROM_EMAIL": "LEO Portal <noreply@leoportal.example>",
            **{key: str(value) for key, value in settings.items()},
        }
        self.process = None
        self.log = b""

    def start(self):
        self.process = subprocess.Popen(
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
                f"--hostname=fault-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so it can be killed whole
        )
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"the Celery worker did not start:\n{self.output()}")

    def kill(self):
        """SIGKILL the worker and its children at once: a machine dying, nothing acknowledged or cleaned up."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._collect()

    def stop(self, cold=False):
        """Stop the worker: a warm shutdown (SIGTERM) lets the tasks it runs finish; a cold one (SIGQUIT), once a test
        is over, stops it at once (a worker given a message again after its visibility timeout may be running a long
        task the test no longer needs). Its output is read while it stops: a worker writing to a full pipe that
        nobody reads cannot finish stopping."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT if cold else signal.SIGTERM)
            try:
                output, _ = self.process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                output, _ = self.process.communicate(timeout=10)
            self.log += output or b""
            self.process = None
            return
        self._collect()

    def _collect(self):
        if self.process is not None and self.process.stdout is not None:
            self.log += self.process.stdout.read() or b""
        self.process = None

    def output(self) -> str:
        return self.log.decode(errors="replace")


@pytest.fixture
def mail_dir(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def make_worker(redis_server, mail_dir, transactional_db):
    workers = []

    def make(**settings):
        worker = Worker(redis_server.url, mail_dir, **settings)
        workers.append(worker)
        worker.start()
        return worker

    yield make
    for worker in workers:
        worker.stop(cold=True)


def sent_messages(mail_dir: Path) -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail the worker wrote: the file backend appends each message to a file,
    followed by a line of dashes."""
    separator = "\n" + "-" * 79 + "\n"
    sent = []
    for path in sorted(mail_dir.glob("*.log")):
        for text in path.read_text().split(separator):
            if text.strip():
                message = email.message_from_string(text, policy=email.policy.default)
                sent.append((str(message["To"]), str(message["Subject"]).strip()))
    return sorted(sent)
