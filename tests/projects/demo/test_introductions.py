from io import StringIO

import pytest
from django.core.management import call_command

from leoportal.models import Notification
from projects.models import Introduction

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out, verbosity=2)
    return out.getvalue()


def snapshot():
    return list(
        Introduction.objects.order_by("proposal__external_id").values_list(
            "proposal__external_id",
            "organisation__name",
            "facility_name",
            "answer",
            "answered_by__email",
            "introduced_by__email",
        )
    ), Introduction.history.count()


def test_seed_demo_introduces_three_proposals_in_every_answer_state():
    seed()

    rows, _history = snapshot()
    assert [(row[0], row[1], row[3], row[4], row[5]) for row in rows] == [
        ("demo-mab-crystals", "Redwire Space", "", None, "staff@example.org"),
        ("demo-msc-expansion", "Space Tango", "not_interested", "provider2@example.org", "staff@example.org"),
        ("demo-partial-g-bone", "Redwire Space", "interested", "provider@example.org", "staff@example.org"),
    ]
    assert [row[2].split(" ")[0] for row in rows] == ["PIL-BOX", "TangoLab-1", "Multi-use"]
    assert all(introduction.criteria for introduction in Introduction.objects.all())
    assert Notification.objects.filter(kind__startswith="introduction").count() == 0


def test_seed_demo_introductions_twice_change_nothing():
    seed()
    first = snapshot()

    output = seed()

    assert snapshot() == first
    assert [line.split()[1] for line in output.splitlines() if line.startswith("introduction")] == ["unchanged"] * 3
