"""Measure the review desk's proposal list as staff see it: server time and query count per kind of request.

Seed the volume first (``manage.py seed_volume --proposals 10000 --capabilities 1000``). Each scenario is requested
through Django's test client as a staff user (the whole request: middleware, queries, template), once to warm up
and then ``--repeat`` times; the median and the fastest time are printed with the query count of one request.
"""

import io
import secrets
import statistics
import time

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.contrib import admin
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leoportal.models import User
from projects.domain import csv_export
from projects.models import Match, Proposal, Review

BENCH_EMAIL = "bench-admin@volume.leoportal.example"
BUDGET_MS = 300


def scenarios(model_admin, proposals: int) -> list[tuple[str, str]]:
    # Column numbers for sorting: the action checkbox is column 0.
    review_column = model_admin.list_display.index("review_average") + 1
    deep_page = max(1, min(50, -(-proposals // model_admin.list_per_page)))
    return [
        ("default (newest submission first)", ""),
        ("filtered: submitted, has a match that fits", "?status__exact=submitted&matches=fits"),
        ("filtered: research area and hardware need", "?research_area=stem_cells&need=cell_culture_bioreactor"),
        ("searched: full text “organoid”", "?q=organoid"),
        ("searched: PI name", "?q=Researcher+17"),
        ("sorted by review average, best first", f"?o=-{review_column}"),
        ("sorted by review average, filtered by status", f"?o=-{review_column}&status__exact=under_review"),
        (f"page {deep_page} (deep in the list)", f"?p={deep_page}"),
    ]


class Command(BaseCommand):
    help = "Print the median server time and query count of the admin proposal list (seed_volume first)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=9, help="timed requests per scenario (after a warm-up)")
        parser.add_argument("--analyze", action="store_true", help="run ANALYZE first (fresh planner statistics)")

    def handle(self, *args, **options):
        repeat = max(1, options["repeat"])
        if options["analyze"] and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        proposals = Proposal.objects.count()
        if proposals == 0:
            raise CommandError("No proposals: run `manage.py seed_volume --proposals 10000 --capabilities 1000` first.")
        reviews = Review.objects.aggregate(total=Count("pk"), proposals=Count("proposal", distinct=True))
        self.stdout.write(
            f"{proposals:,} proposals · {Match.objects.count():,} match rows · {reviews['total']:,} reviews of "
            f"{reviews['proposals']:,} proposals · {connection.vendor} {_server_version()} · median of {repeat} "
            "requests each, as a staff user, through the test client"
        )
        user, created = User.objects.get_or_create(
            email=BENCH_EMAIL, defaults={"full_name": "Bench Admin", "is_staff": True, "is_active": True}
        )
        host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h), "localhost").lstrip(".")
        client = Client(HTTP_HOST=host)
        sign_in_with_second_factor(client, user)
        model_admin = admin.site._registry[Proposal]
        url = reverse("admin:projects_proposal_changelist")
        rows = []
        busiest = Proposal.objects.annotate(total=Count("matches")).order_by("-total", "pk").first()
        try:
            for name, query in scenarios(model_admin, proposals):
                rows.append((name, *self.measure(client, url + query, repeat)))
            page = reverse("admin:projects_proposal_change", args=[busiest.pk])
            rows.append((f"proposal page ({busiest.total} matches)", *self.measure(client, page, repeat)))
            dashboard = reverse("admin:projects_proposal_dashboard")
            rows.append(("staff dashboard", *self.measure(client, dashboard, repeat)))
            export_s = self.measure_export()
        finally:
            client.logout()
            if created:
                user.delete()
        width = max(len(name) for name, *_ in rows)
        self.stdout.write(f"{'scenario':<{width}}  median ms  fastest ms  queries  rows")
        for name, median, fastest, queries, shown in rows:
            flag = "" if median <= BUDGET_MS else f"  over the {BUDGET_MS} ms budget"
            self.stdout.write(f"{name:<{width}}  {median:9.1f}  {fastest:10.1f}  {queries:7d}  {shown:4d}{flag}")
        self.stdout.write(
            f"CSV export of all {proposals:,} proposals (the background job's work): {export_s:.1f} s, "
            f"{proposals / export_s:,.0f} rows/s"
        )

    def measure_export(self) -> float:
        ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
        started = time.perf_counter()
        csv_export.write_csv(ids, io.StringIO())
        return time.perf_counter() - started

    def measure(self, client, url, repeat):
        secure = settings.SECURE_SSL_REDIRECT
        response = client.get(url, secure=secure)  # warm-up (connections, template and plan caches)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url, secure=secure)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=secure)
        shown = response.content.count(b'class="action-checkbox"')  # rows of a list page; 0 elsewhere
        return statistics.median(times), min(times), len(captured.captured_queries), shown


def _server_version() -> str:
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def sign_in_with_second_factor(client, user) -> None:
    """Sign the measuring account in as staff do, password then authenticator code (staff reach nothing without
    their second factor): a fresh password and authenticator secret each run, known only to this command."""
    password, secret = secrets.token_urlsafe(24), generate_totp_secret()
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    Authenticator.objects.update_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": secret}}
    )
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    counters = list(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
    client.post(reverse("mfa_authenticate"), {"code": code})
    answer = client.get(reverse("admin:index"))
    if answer.status_code != 200:
        raise CommandError(f"Could not sign the measuring account in: the review desk answered {answer.status_code}.")
