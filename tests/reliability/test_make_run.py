"""`make run` with REDIS_URL set: scripts/run.sh starts the site, a Celery worker and beat together, the worker
reports through Redis at once, and Ctrl-C (SIGINT to the terminal's process group) stops all of them."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.reliability.conftest import BASE_DIR, free_port


def group_members(pgid: int) -> list[str]:
    members = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # the process group, leaving out reaped-to-be zombies
            members.append((status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip())
    return members


def health(port: int) -> dict | None:
    """/healthz's answer once it is 200 (None while it is 503 or not listening)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None


@pytest.mark.slow(seconds=30)
def test_run_starts_worker_beat_and_site_and_ctrl_c_stops_them_all(redis_server, migrated_sqlite, tmp_path):
    port = free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "TMPDIR": str(tmp_path),
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{migrated_sqlite}",
        "REDIS_URL": redis_server.url,
        "EMAIL_URL": "dummymail://",
        "PORT": str(port),
    }
    run = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a process group of its own, as a terminal gives it
    )
    try:
        deadline = time.monotonic() + 90
        answer = health(port)
        while answer is None and time.monotonic() < deadline:  # 503 until the worker's first heartbeat
            time.sleep(0.5)
            answer = health(port)
        running = group_members(run.pid)

        os.killpg(run.pid, signal.SIGINT)
        run.wait(30)
        deadline = time.monotonic() + 15
        while group_members(run.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = group_members(run.pid)
    finally:
        if group_members(run.pid):
            os.killpg(run.pid, signal.SIGKILL)

    assert answer == {"database": "ok", "broker": "ok", "worker": "ok"}
    assert [
        kind
        for kind in ("celery -A leoportal worker", "celery -A leoportal beat", "manage.py runserver")
        if not any(kind in member for member in running)
    ] == [], running
    assert left == []
