"""The demo's review panel: reviewer@example.org with assignments and a conflict, seeded once."""

from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import Review, ReviewAssignment

pytestmark = [pytest.mark.django_db, pytest.mark.broad]


def seed():
    call_command("seed_demo", stdout=StringIO())


def test_seed_demo_gives_the_reviewer_assignments_and_a_conflict_and_runs_twice_the_same():
    seed()
    first = (
        sorted(ReviewAssignment.objects.values_list("reviewer__email", "proposal__external_id")),
        sorted(
            Review.objects.filter(conflict_of_interest=True).values_list("reviewer__email", "proposal__external_id")
        ),
    )
    seed()

    assert first == (
        [("reviewer@example.org", "demo-mab-crystals"), ("reviewer@example.org", "demo-partial-g-bone")],
        [("reviewer@example.org", "demo-liver-organoids")],
    )
    assert ReviewAssignment.objects.count() == 2
