"""seed_demo loads the bundled flight precedents (projects/demo/precedents.py) after the demo catalogue."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from partners.demo.catalogue import CATALOGUE
from projects.demo.precedents import PRECEDENTS_FILE
from projects.models import Precedent

pytestmark = [pytest.mark.django_db, pytest.mark.broad]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, verbosity=2)
    return out.getvalue()


def precedent_lines(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines() if line.startswith("precedent ")]


def test_every_listing_the_bundled_precedents_name_is_in_the_demo_catalogue():
    listings = {entry["id"] for entry in json.loads(CATALOGUE.read_text())["capabilities"]}
    named = {
        facility for entry in json.loads(PRECEDENTS_FILE.read_text())["precedents"] for facility in entry["facilities"]
    }

    assert sorted(named - listings) == []
    assert len(named) == 28


def test_seed_demo_loads_every_bundled_precedent_once():
    bundled = {entry["id"]: entry for entry in json.loads(PRECEDENTS_FILE.read_text())["precedents"]}

    first = seed()
    history = Precedent.history.count()
    second = seed()

    loaded = {p.external_id: p for p in Precedent.objects.with_listings()}
    assert sorted(loaded) == sorted(bundled)
    assert {p.origin for p in loaded.values()} == {"curated"}
    assert {
        key: sorted(listing.external_id for listing in precedent.listings.all()) for key, precedent in loaded.items()
    } == {key: sorted(entry["facilities"]) for key, entry in bundled.items()}
    assert (precedent_lines(first).count("created"), precedent_lines(second).count("unchanged")) == (125, 125)
    assert Precedent.history.count() == history
