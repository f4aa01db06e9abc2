from io import StringIO

import pytest
from django.core.management import call_command

from leoportal.models import Notification
from partners.models import Organisation
from projects.models import Introduction

pytestmark = [pytest.mark.django_db, pytest.mark.broad]


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out, verbosity=2)
    return out.getvalue()


def snapshot():
    return list(
        Introduction.objects.order_by("proposal__external_id", "organisation__name").values_list(
            "proposal__external_id",
            "organisation__name",
            "facility_name",
            "answer",
            "answered_by__email",
            "introduced_by__email",
        )
    ), Introduction.history.count()


def test_seed_demo_introduces_proposals_in_every_answer_state_and_one_waiting_for_an_invited_contact():
    seed()

    rows, _history = snapshot()
    assert [(row[0], row[1], row[3], row[4], row[5]) for row in rows] == [
        ("demo-mab-crystals", "Redwire Space", "", None, "staff@example.org"),
        ("demo-msc-expansion", "BioServe Space Technologies", "", None, "staff@example.org"),
        ("demo-msc-expansion", "Space Tango", "not_interested", "provider2@example.org", "staff@example.org"),
        ("demo-partial-g-bone", "Redwire Space", "interested", "provider@example.org", "staff@example.org"),
    ]
    assert [row[2].split(" ")[0] for row in rows] == ["PIL-BOX", "Space", "TangoLab-1", "Multi-use"]
    bioserve = Organisation.objects.get(name="BioServe Space Technologies")
    assert list(bioserve.invitations.values_list("email", "role", "invited_by__email")) == [
        ("contact@bioserve.example", "admin", "staff@example.org")
    ]
    assert (bioserve.memberships.count(), bioserve.invitations.get().sent_at is not None) == (0, True)
    assert all(introduction.criteria for introduction in Introduction.objects.all())
    assert Notification.objects.filter(kind__startswith="introduction").count() == 0


def test_seed_demo_introductions_twice_change_nothing():
    seed()
    first = snapshot()

    output = seed()

    assert snapshot() == first
    assert [line.split()[1] for line in output.splitlines() if line.startswith("introduction")] == ["unchanged"] * 4
