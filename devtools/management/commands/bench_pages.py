"""Measure the pages people use all day against a trivial Django view, in one run (see devtools.pages)."""

import json
import os
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
                rows, trivial = self.measure(page_list, cookies, wrk, options["workers"], log)
            except pages.BenchmarkError as error:
                raise CommandError(f"{error} (gunicorn's log: {_tail(log)})") from error
        baseline = (trivial[0].requests_per_second + trivial[1].requests_per_second) / 2
        self.stdout.write(
            f"trivial view (Django's default middleware, 'ok'): {trivial[0].requests_per_second:,.0f} requests a "
            f"second before the pages, {trivial[1].requests_per_second:,.0f} after; shares are of their mean, "
            f"{baseline:,.0f}"
        )
        for line in pages.table(rows, baseline):
            self.stdout.write(line)
        self.stdout.write(f"load average after: {_load(os.getloadavg())}")
        if options["json_path"]:
            figures = {
                "trivial": [asdict(t) for t in trivial],
                "pages": [{**asdict(page), **asdict(f)} for page, f in rows],
                "load_before": load_before,
            }
            Path(options["json_path"]).write_text(json.dumps(figures, indent=2), encoding="utf-8")
        if any(f.errors for _, f in rows):
            raise CommandError("Some requests failed: see the errors column.")

    def measure(self, page_list, cookies, wrk, workers, log):
        port_env = pages.served_environment()
        self.stdout.write("collecting static files for the served site…")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=pages.BASE_DIR,
            env=port_env,
            check=True,
        )
        connection.close()  # the served site opens its own connections
        trivial_env = {**port_env, "DJANGO_SETTINGS_MODULE": "devtools.trivial_site"}
        first = self.serve_trivial(trivial_env, wrk, workers, log)
        portal = pages.Server("leoportal.wsgi", port_env, workers=workers, log=log)
        rows = []
        try:
            portal.wait_until_up("/healthz")
            for page in page_list:
                status = pages.fetch_status(portal.url + page.path, cookies[page.role])
                if status != 200:
                    raise pages.BenchmarkError(f"{page.name} ({page.path}) answered {status}, not 200")
                figures = pages.run_wrk(portal.url + page.path, cookies[page.role], **wrk)
                self.stdout.write(f"  {page.name}: {figures.requests_per_second:,.0f} requests a second")
                rows.append((page, figures))
        finally:
            portal.stop()
        last = self.serve_trivial(trivial_env, wrk, workers, log)
        return rows, (first, last)

    def serve_trivial(self, environment, wrk, workers, log):
        server = pages.Server("django.core.wsgi:get_wsgi_application()", environment, workers=workers, log=log)
        try:
            server.wait_until_up()
            figures = pages.run_wrk(server.url + "/", "", **wrk)
        finally:
            server.stop()
        self.stdout.write(f"  trivial view: {figures.requests_per_second:,.0f} requests a second")
        return figures


def _load(averages) -> str:
    return " ".join(f"{value:.2f}" for value in averages)


def _tail(log: Path) -> str:
    try:
        return log.read_text(encoding="utf-8")[-2000:] or "empty"
    except OSError:
        return "none"
