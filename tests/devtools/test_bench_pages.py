"""bench_pages' plumbing: reading wrk's output, the table, and the signed-in sessions it drives the pages with.
(The measuring itself, gunicorn and wrk, runs only by hand: `manage.py bench_pages`.)"""

import io
from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from devtools import pages
from leoportal.demo.accounts import DEMO_STAFF_EMAIL
from leoportal.enums import Role
from tests.factories import UserFactory

WRK_OUTPUT = """Running 8s test @ http://127.0.0.1:40123/proposals/
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   141.20ms   30.11ms 412.00ms   71.30%
    Req/Sec    70.95     20.12   121.00     68.75%
  Latency Distribution
     50%  138.51ms
     75%  155.02ms
     90%  180.70ms
     99%    1.21s
  1136 requests in 8.01s, 42.57MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    141.83
Transfer/sec:      5.31MB
"""


def test_parse_wrk_reads_rate_percentiles_and_errors():
    figures = pages.parse_wrk(WRK_OUTPUT)

    assert figures == pages.Figures(requests_per_second=141.83, p50_ms=138.51, p99_ms=1210.0, requests=1136, errors=7)


def test_parse_wrk_reads_microseconds_and_a_run_without_errors():
    output = WRK_OUTPUT.replace("138.51ms", "912.00us").split("  Socket errors")[0] + "Requests/sec:   3550.10\n"

    figures = pages.parse_wrk(output)

    assert (figures.p50_ms, figures.errors, figures.requests_per_second) == (0.912, 0, 3550.1)


def test_parse_wrk_refuses_output_it_cannot_read():
    with pytest.raises(pages.BenchmarkError, match=r"^Could not read wrk's output"):
        pages.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_table_gives_each_page_its_share_of_the_trivial_view():
    trivial = pages.Figures(3545.75, 5.1, 9.8, 28366, 0, cpu_ms=0.42)
    page = pages.Page("My proposals", "researcher", "/proposals/")
    rows = [(page, replace(pages.parse_wrk(WRK_OUTPUT), cpu_ms=11.26), trivial)]

    lines = pages.table(rows)

    assert lines[2] == "| My proposals | researcher | 142 | 3,546 | 4.0% | 11.3 (0.4) | 138.5 | 1210.0 | 7 |"


@pytest.mark.django_db
def test_sessions_open_each_role_s_pages_and_staff_pass_the_second_factor():
    UserFactory(email=pages.RESEARCHER)
    UserFactory(email=pages.PROVIDER, role=Role.PROVIDER)
    UserFactory(email=DEMO_STAFF_EMAIL, is_staff=True)  # no authenticator: only the recorded factor lets it in

    cookies = pages.session_cookies()
    client = Client()

    assert cookies["public"] == ""
    assert client.get(reverse("projects:dashboard"), HTTP_COOKIE=cookies["researcher"]).status_code == 200
    assert client.get(reverse("partners:dashboard"), HTTP_COOKIE=cookies["provider"]).status_code == 200
    assert client.get(reverse("admin:index"), HTTP_COOKIE=cookies["staff"]).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302  # without a session: sent to sign in


@pytest.mark.django_db
def test_bench_pages_without_the_demo_says_what_to_run():
    with pytest.raises(CommandError, match=r"^The demo accounts are missing: run `manage.py seed_demo` first\.$"):
        call_command("bench_pages", stdout=io.StringIO())
