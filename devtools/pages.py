"""The page benchmark (``manage.py bench_pages``): each page's throughput as a share of a trivial Django view.

Both sites are served by gunicorn with the same settings (sync workers, ``DEBUG=false``) on the same machine: the
portal on this database and Redis, and devtools.trivial_site, a view answering "ok" through Django's default
middleware. wrk (Debian's ``wrk``) drives each page for a few seconds, signed in as the demo account of its role
through a session made for the run, and the trivial view for a quarter of that just before it: each page's
requests a second are divided by the trivial view's measured next to them, so the shares stay comparable when the
machine is shared and absolute figures wander from one minute to the next.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from leoportal.demo.accounts import DEMO_STAFF_EMAIL
from leoportal.models import User
from partners.models import Capability, Organisation
from projects.models import EDITABLE_STATUSES, Call, Introduction, Proposal

BASE_DIR = Path(settings.BASE_DIR)
RESEARCHER = "researcher@example.org"
PROVIDER = "provider@example.org"
# allauth's record of the steps a session signed in with; staff pass only with a second factor in it.
AUTHENTICATION_METHODS = "account_authentication_methods"
AUTHENTICATION_METHODS_USER = "account_authentication_methods_user"


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # "public", "researcher", "provider" or "staff"
    path: str


@dataclass(frozen=True)
class Figures:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers and socket errors
    cpu_ms: float | None = None  # the web server's CPU (user and system) a request, from /proc; None elsewhere


class BenchmarkError(Exception):
    pass


def demo_pages() -> list[Page]:
    """The pages people open all day, found in the seeded demo (``seed_demo``; with ``seed_volume`` as well for the
    large size). Raises BenchmarkError when the demo is not there."""
    if not User.objects.filter(email__in=[RESEARCHER, PROVIDER, DEMO_STAFF_EMAIL]).count() == 3:
        raise BenchmarkError("The demo accounts are missing: run `manage.py seed_demo` first.")
    researcher = User.objects.get(email=RESEARCHER)
    provider = User.objects.get(email=PROVIDER)
    own = Proposal.objects.filter(owner=researcher)
    editable = own.filter(status__in=EDITABLE_STATUSES).order_by("created_at").first()
    shown = own.exclude(status__in=EDITABLE_STATUSES).annotate(shown=Count("matches"))
    submitted = shown.order_by("-shown", "created_at").first()
    call = Call.objects.order_by("-closes_at").first()
    listing = Capability.objects.public().order_by("created_at").first()
    organisation = Organisation.objects.for_member(provider).order_by("pk").first()
    own_listing = Capability.objects.filter(organisation=organisation).order_by("created_at").first()
    introduction = Introduction.objects.for_provider(provider).order_by("created_at").first()
    missing = [
        name
        for name, found in [
            ("a proposal the demo researcher may edit", editable),
            ("a submitted proposal of the demo researcher", submitted),
            ("a call", call),
            ("a public listing", listing),
            ("the demo provider's organisation", organisation),
            ("a listing of that organisation", own_listing),
            ("an introduction to that organisation", introduction),
        ]
        if found is None
    ]
    if missing:
        raise BenchmarkError(f"The demo lacks {', '.join(missing)}: run `manage.py seed_demo` first.")
    return [
        Page("home", "public", reverse("home")),
        Page("calls list", "public", reverse("projects:call_list")),
        Page("a call", "public", call.get_absolute_url()),
        Page("catalogue", "public", reverse("partners:catalogue")),
        Page("catalogue search", "public", reverse("partners:catalogue") + "?q=bioreactor"),
        Page("a listing", "public", listing.get_absolute_url()),
        Page("sign-in", "public", reverse("account_login")),
        Page("My proposals", "researcher", reverse("projects:dashboard")),
        Page("a proposal's page", "researcher", submitted.get_absolute_url()),
        Page("the proposal form", "researcher", reverse("projects:proposal_edit", args=[editable.public_id])),
        Page("notifications", "researcher", reverse("notifications")),
        Page("provider's home", "provider", reverse("partners:dashboard")),
        Page("introductions", "provider", reverse("projects:introduction_list")),
        Page("an introduction", "provider", introduction.get_absolute_url()),
        Page("an own listing", "provider", reverse("partners:listing", args=[own_listing.public_id])),
        Page("admin's home", "staff", reverse("admin:index")),
        Page("admin's proposals list", "staff", reverse("admin:projects_proposal_changelist")),
        Page("admin's proposal page", "staff", reverse("admin:projects_proposal_change", args=[submitted.pk])),
    ]


def session_cookies() -> dict[str, str]:
    """A fresh signed-in session for each role's demo account (staff with their second factor recorded, as after
    entering the authenticator code): the role's ``Cookie`` header value. No password is changed or needed."""
    emails = {"researcher": RESEARCHER, "provider": PROVIDER, "staff": DEMO_STAFF_EMAIL}
    cookies = {"public": ""}
    for role, email in emails.items():
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        if user.is_staff:
            session[AUTHENTICATION_METHODS] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
            session[AUTHENTICATION_METHODS_USER] = str(user.pk)
            session.save()
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


# --- wrk ------------------------------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse_wrk(output: str) -> Figures:
    """The figures of one wrk run (``--latency``), from its text output."""
    rate, total = _RATE.search(output), _TOTAL.search(output)
    latency = {percent: float(value) * UNITS_MS[unit] for percent, value, unit in _LATENCY.findall(output)}
    if not rate or not total or set(latency) != {"50", "99"}:
        raise BenchmarkError(f"Could not read wrk's output:\n{output}")
    errors = sum(int(n) for n in _NON_2XX.findall(output))
    socket_errors = _SOCKET.search(output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Figures(float(rate.group(1)), latency["50"], latency["99"], int(total.group(1)), errors)


def run_wrk(url: str, cookie: str, *, threads: int, connections: int, seconds: int) -> Figures:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    command += ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BenchmarkError(f"wrk failed on {url}: {done.stderr.strip() or done.stdout.strip()}")
    return parse_wrk(done.stdout)


# --- the servers ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served_environment() -> dict[str, str]:
    """The portal as in production (DEBUG off, behind a TLS proxy), on this process's database, Redis and secret
    key: the sessions made here are valid there."""
    return {
        **os.environ,
        "DEBUG": "false",
        "DEVTOOLS": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_PROXY_SSL_HEADER": "true",
        "TRUSTED_PROXY_COUNT": "1",
        "SITE_URL": "https://127.0.0.1",
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
    }


class Server:
    """gunicorn serving one WSGI application on a free loopback port, until ``stop``."""

    def __init__(self, application: str, environment: dict[str, str], *, workers: int, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, application, "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        command += ["--worker-class", "sync", "--error-logfile", str(log), "--log-level", "warning"]
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=BASE_DIR, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait_until_up(self, path: str = "/", timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkError(f"gunicorn stopped at start-up (exit {self.process.returncode})")
            try:
                fetch_status(self.url + path, "")
                return
            except OSError:
                time.sleep(0.3)
        raise BenchmarkError(f"gunicorn did not answer on {self.url} within {timeout_s:.0f} s")

    def cpu_seconds(self) -> float:
        """CPU the server's processes (master and workers) have used so far, from /proc (Linux)."""
        ticks = os.sysconf("SC_CLK_TCK")
        pids = [self.process.pid]
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
            pids += [int(pid) for pid in children.split()]
        total = 0
        for pid in pids:
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def measure(self, path: str, cookie: str, **wrk) -> Figures:
        """wrk's figures for one page, with the server's CPU a request while wrk ran."""
        before = self.cpu_seconds()
        figures = run_wrk(self.url + path, cookie, **wrk)
        used = self.cpu_seconds() - before
        return replace(figures, cpu_ms=used * 1000 / figures.requests if figures.requests else None)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch_status(url: str, cookie: str) -> int:
    """The status a page answers with (redirects not followed)."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", "Cookie": cookie})  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def check_wrk() -> None:
    if shutil.which("wrk") is None:
        raise BenchmarkError("wrk is not installed: `apt-get install wrk` (Debian), then run again.")


# --- the table ------------------------------------------------------------------------------------------------


def share(figures: Figures, trivial: Figures) -> float:
    """A page's requests a second as a percentage of the trivial view's."""
    return figures.requests_per_second / trivial.requests_per_second * 100 if trivial.requests_per_second else 0.0


def table(rows: list[tuple[Page, Figures, Figures]]) -> list[str]:
    """The measured rows (page, its figures, the trivial view's just before) as a Markdown table."""
    lines = [
        "| page | signed in as | requests a second | trivial view beside it | share of the trivial view | "
        "CPU ms a request (trivial) | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for page, figures, trivial in rows:
        lines.append(
            f"| {page.name} | {page.role} | {figures.requests_per_second:,.0f} | "
            f"{trivial.requests_per_second:,.0f} | {share(figures, trivial):.1f}% | "
            f"{_ms(figures.cpu_ms)} ({_ms(trivial.cpu_ms)}) | {figures.p50_ms:.1f} | {figures.p99_ms:.1f} | "
            f"{figures.errors} |"
        )
    return lines


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"
