"""Facts from interchange items, the vocabularies, and the engine's independence from Django."""

import subprocess
import sys
from datetime import date
from pathlib import Path

from partners.enums import CapabilityStatus, Category, CrewTime, ResearchArea
from projects.enums import SampleType
from projects.matching import CapabilityFacts, FactsError, ProposalNeeds
from projects.matching.vocabulary import CATEGORIES, CREW_TIMES, RESEARCH_AREAS, SAMPLE_TYPES, STATUSES

from .conftest import capability_items, real_capabilities


def test_every_real_listing_parses():
    assert len(real_capabilities()) == 37 == len(capability_items())


def test_listing_facts_keep_unstated_apart_from_no():
    bff = next(c for c in real_capabilities() if c.id == "redwire-bff")
    assert (bff.crew_time, bff.sample_return, bff.temperature_c, bff.first_flight_year) == ("medium", True, None, 2019)
    biolab = next(c for c in real_capabilities() if c.id == "esa-biolab")
    assert (biolab.temperature_c, biolab.variable_gravity_g, biolab.cold_stowage_c) == (
        (18.0, 40.0),
        (0.0, 2.0),
        (-20.0, 10.0),
    )


def test_offered_categories_add_what_stated_facts_imply():
    c = CapabilityFacts(
        id="c",
        name="n",
        provider="p",
        categories=("cell_culture_bioreactor",),
        sample_return=True,
        variable_gravity_g=(0.0, 1.0),
        imaging=True,
        cold_stowage_c=(-80.0,),
    )
    assert c.offered_categories == (
        "cell_culture_bioreactor",
        "variable_gravity_centrifuge",
        "cold_stowage_freezer",
        "imaging_microscopy",
        "sample_return",
    )
    assert CapabilityFacts(
        id="c", name="n", provider="p", categories=("3d_bioprinter",), imaging=False, cold_stowage_c=()
    ).offered_categories == ("3d_bioprinter",)


def test_proposal_from_interchange_reads_dates_and_ranges():
    p = ProposalNeeds.from_interchange(
        {
            "id": "p",
            "title": "t",
            "summary": "s",
            "needs": ["3d_bioprinter", "cell_culture_bioreactor"],
            "temperature_c": {"min": 36, "max": 38},
            "launch_window": {"earliest": "2027-03-01", "latest": "2027-12-31"},
            "research_areas": ["tissue_engineering", "biofabrication"],
        }
    )
    assert (p.needs, p.temperature_c, p.launch_window, p.research_areas) == (
        ("cell_culture_bioreactor", "3d_bioprinter"),
        (36.0, 38.0),
        (date(2027, 3, 1), date(2027, 12, 31)),
        ("tissue_engineering", "biofabrication"),
    )


def test_listing_semantic_errors_list_every_problem():
    item = {
        **capability_items()[0],
        "temperature_c": {"min": 5, "max": 1},
        "variable_gravity_g": {"min": 2, "max": 1},
        "availability": [{"start": "2027-02-01", "end": "2027-01-01"}],
    }
    try:
        CapabilityFacts.from_interchange(item)
    except FactsError as error:
        assert (error.item_id, error.problems) == (
            "redwire-bff",
            [
                "temperature_c: min (5) is above max (1)",
                "variable_gravity_g: min (2) is above max (1)",
                "availability: start 2027-02-01 is after end 2027-01-01",
            ],
        )
    else:
        raise AssertionError("expected a FactsError")


def test_vocabularies_match_the_django_choices():
    assert tuple(Category.values) == CATEGORIES
    assert tuple(ResearchArea.values) == RESEARCH_AREAS
    assert tuple(CrewTime.values) == CREW_TIMES
    assert tuple(CapabilityStatus.values) == STATUSES
    assert tuple(SampleType.values) == SAMPLE_TYPES


def test_the_engine_imports_nothing_from_django():
    root = Path(__file__).resolve().parents[3]
    script = (
        "import sys, projects.matching; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"
