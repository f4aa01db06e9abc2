"""bench_admin measures the desk's list as staff see it and prints the figures."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from devtools.management.commands.bench_admin import BENCH_EMAIL
from leoportal.models import User
from projects.enums import ProposalStatus
from tests.projects.factories import ProposalFactory, ReviewFactory

pytestmark = [pytest.mark.django_db, pytest.mark.broad]

ROW = re.compile(
    r"^(?P<name>.+?)\s+(?P<median>\d+\.\d)\s+(?P<fastest>\d+\.\d)\s+(?P<queries>\d+)\s+(?P<rows>\d+)"
    r"(?:  over the \d+ ms budget)?$"
)


def test_bench_admin_prints_a_measured_row_per_scenario(researcher):
    for proposal in ProposalFactory.create_batch(3, owner=researcher, complete=True, status=ProposalStatus.SUBMITTED):
        ReviewFactory(proposal=proposal)
    out = io.StringIO()

    call_command("bench_admin", repeat=2, stdout=out)

    lines = out.getvalue().splitlines()
    rows = [ROW.match(line) for line in lines[2:-1]]
    assert lines[0].startswith("3 proposals · 0 match rows · 3 reviews of 3 proposals · ")
    assert [row["name"].strip() for row in rows] == [
        "default (newest submission first)",
        "filtered: submitted, has a match that fits",
        "filtered: research area and hardware need",
        "searched: full text “organoid”",
        "searched: PI name",
        "sorted by review average, best first",
        "sorted by review average, filtered by status",
        "page 1 (deep in the list)",
        "proposal page (0 matches)",
        "staff dashboard",
    ]
    assert all(float(row["median"]) > 0 and int(row["queries"]) > 0 for row in rows)
    assert [int(row["rows"]) for row in rows[:2]] == [3, 0]  # all three listed; none has a match that fits
    assert re.match(
        r"^CSV export of all 3 proposals \(the background job's work\): \d+\.\d s, [\d,]+ rows/s$", lines[-1]
    )
    assert User.objects.filter(email=BENCH_EMAIL).exists() is False  # its temporary staff account is gone


def test_bench_admin_without_proposals_says_what_to_run():
    with pytest.raises(CommandError, match=r"^No proposals: run `manage.py seed_volume"):
        call_command("bench_admin", repeat=1, stdout=io.StringIO())
