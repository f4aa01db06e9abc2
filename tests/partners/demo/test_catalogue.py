from io import StringIO

import pytest
from django.core.management import call_command

from partners.models import Capability, Membership, Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.broad]


def seed(verbosity=1):
    out = StringIO()
    call_command("seed_demo", stdout=out, verbosity=verbosity)
    return out.getvalue()


def snapshot():
    return (
        list(Organisation.objects.order_by("pk").values_list("pk", "name", "verified", "updated_at")),
        list(Capability.objects.order_by("pk").values_list("pk", "external_id", "publication", "updated_at")),
        list(Membership.objects.order_by("pk").values_list("pk", "user__email", "organisation__name", "role")),
    )


def test_seed_demo_imports_the_catalogue_with_two_drafts_and_two_provider_admins():
    seed()

    assert Capability.objects.count() == 37
    assert sorted(Capability.objects.filter(publication="draft").values_list("external_id", flat=True)) == [
        "emulate-spacetango-organchip",
        "redwire-adsep",
    ]
    assert Capability.objects.public().count() == 35
    assert sorted(Membership.objects.values_list("user__email", "organisation__name", "role")) == [
        ("provider2@example.org", "Space Tango", "admin"),
        ("provider@example.org", "Redwire Space", "admin"),
    ]


def test_seed_demo_twice_changes_no_listing_or_membership():
    seed()
    before = snapshot()

    output = seed(verbosity=2)

    assert snapshot() == before
    assert [line for line in output.splitlines() if "unchanged" not in line] == []


def test_seed_demo_restores_the_demo_state():
    seed()
    Capability.objects.filter(external_id="redwire-adsep").update(publication="published")
    Capability.objects.filter(external_id="redwire-bff").update(publication="draft")
    Membership.objects.filter(user__email="provider@example.org").update(role="member")

    output = seed(verbosity=2)

    assert sorted(Capability.objects.filter(publication="draft").values_list("external_id", flat=True)) == [
        "emulate-spacetango-organchip",
        "redwire-adsep",
    ]
    assert Membership.objects.get(user__email="provider@example.org").role == "admin"
    assert sorted(" ".join(line.split()) for line in output.splitlines() if " updated " in line) == [
        "membership updated provider@example.org in Redwire Space",
        "publication updated Redwire Space: redwire-adsep",
        "publication updated Redwire Space: redwire-bff",
    ]
    assert output.splitlines()[-1].endswith(", 3 updated.")
