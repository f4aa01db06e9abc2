"""Measure the pages people use all day against a trivial Django view, in one run (see devtools.pages)."""

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools import pages
from projects.models import Proposal


class Command(BaseCommand):
    help = (
        "Serve the portal and a trivial Django view with gunicorn (DEBUG off), drive each page with wrk signed in "
        "as its demo role, and print requests a second, share of the trivial view, p50 and p99 (seed_demo first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers for both sites")
        parser.add_argument("--seconds", type=int, default=8, help="wrk's duration for each page")
        parser.add_argument("--threads", type=int, default=2, help="wrk threads")
        parser.add_argument("--connections", type=int, default=20, help="wrk connections")
        parser.add_argument("--only", default="", help="measure only pages whose name contains this text")
        parser.add_argument("--json", dest="json_path", help="also write the figures as JSON to this file")

    def handle(self, *args, **options):
        # Stopped from outside: leave through the finally blocks that stop both servers.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench_pages stopped"))
        try:
            page_list = [p for p in pages.demo_pages() if options["only"].lower() in p.name.lower()]
            pages.check_wrk()
            cookies = pages.session_cookies()
        except pages.BenchmarkError as error:
            raise CommandError(str(error)) from error
        wrk = {k: options[k] for k in ("threads", "connections", "seconds")}
        load_before = os.getloadavg()
        self.stdout.write(
            f"{Proposal.objects.count():,} proposals · gunicorn {options['workers']} sync workers, DEBUG off · "
            f"wrk -t{wrk['threads']} -c{wrk['connections']} -d{wrk['seconds']}s · {os.cpu_count()} cores · "
            f"load average {_load(load_before)}"
        )
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as scratch:
            log = Path(scratch) / "gunicorn.log"
            try:
                rows = self.measure(page_list, cookies, wrk, options["workers"], log)
            except pages.BenchmarkError as error:
                raise CommandError(f"{error} (gunicorn's log: {_tail(log)})") from error
        rates = [trivial.requests_per_second for _, _, trivial in rows]
        self.stdout.write(
            f"trivial view (Django's default middleware, 'ok'), measured for {max(2, wrk['seconds'] // 4)} s just "
            f"before each page: {min(rates, default=0):,.0f} to {max(rates, default=0):,.0f} requests a second"
        )
        for line in pages.table(rows):
            self.stdout.write(line)
        self.stdout.write(f"load average after: {_load(os.getloadavg())}")
        if options["json_path"]:
            figures = {
                "pages": [
                    {**asdict(page), **asdict(f), "trivial": asdict(t), "share": pages.share(f, t)}
                    for page, f, t in rows
                ],
                "load_before": load_before,
                "load_after": os.getloadavg(),
            }
            Path(options["json_path"]).write_text(json.dumps(figures, indent=2), encoding="utf-8")
        if any(f.errors for _, f, _ in rows):
            raise CommandError("Some requests failed: see the errors column.")

    def measure(self, page_list, cookies, wrk, workers, log):
        environment = pages.served_environment()
        self.stdout.write("collecting static files for the served site…")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=pages.BASE_DIR,
            env=environment,
            check=True,
        )
        connection.close()  # the served sites open their own connections
        trivial_env = {**environment, "DJANGO_SETTINGS_MODULE": "devtools.trivial_site"}
        trivial_wrk = {**wrk, "seconds": max(2, wrk["seconds"] // 4)}
        # Both served at once: an idle sync worker waits in accept() and takes no CPU from the one measured.
        trivial = pages.Server("django.core.wsgi:get_wsgi_application()", trivial_env, workers=workers, log=log)
        portal = pages.Server("leoportal.wsgi", environment, workers=workers, log=log)
        rows = []
        try:
            trivial.wait_until_up()
            portal.wait_until_up("/healthz")
            for page in page_list:
                status = pages.fetch_status(portal.url + page.path, cookies[page.role])
                if status != 200:
                    raise pages.BenchmarkError(f"{page.name} ({page.path}) answered {status}, not 200")
                beside = trivial.measure("/", "", **trivial_wrk)
                figures = portal.measure(page.path, cookies[page.role], **wrk)
                self.stdout.write(
                    f"  {page.name}: {figures.requests_per_second:,.0f} requests a second "
                    f"(trivial view {beside.requests_per_second:,.0f}), {figures.cpu_ms or 0:.1f} ms of CPU a request"
                )
                rows.append((page, figures, beside))
        finally:
            portal.stop()
            trivial.stop()
        return rows


def _load(averages) -> str:
    return " ".join(f"{value:.2f}" for value in averages)


def _tail(log: Path) -> str:
    try:
        return log.read_text(encoding="utf-8")[-2000:] or "empty"
    except OSError:
        return "none"
