"""Weights, the algorithm version, and what the score rewards."""

import re
from dataclasses import replace

import pytest

from projects.matching import ALGORITHM, ENGINE_VERSION, Catalogue, Weights, algorithm_version, rank
from projects.matching.scoring import DEFAULT_WEIGHTS

from .helpers import listing, proposal


def test_algorithm_version_is_the_engine_version_and_a_digest():
    assert re.fullmatch(rf"{re.escape(ENGINE_VERSION)}\+[0-9a-f]{{10}}", ALGORITHM)
    assert algorithm_version(Weights()) == ALGORITHM


def test_algorithm_version_changes_with_any_weight():
    versions = {
        algorithm_version(replace(DEFAULT_WEIGHTS, **{name: 1.25})) for name in ("text", "hardware", "heritage")
    }
    versions.add(algorithm_version(replace(DEFAULT_WEIGHTS, require_needed_hardware=True)))
    assert len(versions) == 4 and ALGORITHM not in versions


@pytest.mark.parametrize("bad", [{"text": -1.0}, {"hardware": float("nan")}, {"text_saturation": 0.0}])
def test_weights_refuse_bad_values(bad):
    with pytest.raises(ValueError, match="weight"):
        Weights(**bad)


def score(listings, p, capability_id, weights=DEFAULT_WEIGHTS):
    (result,) = rank(Catalogue.build(listings), [p], weights=weights, top=len(listings), near_misses=0)
    return next(m.score for m in result.matches if m.capability_id == capability_id)


def test_confirmed_facts_score_higher_than_unknown_ones():
    p = proposal(temperature_c=(36.0, 38.0), crew_time="low")
    known = listing(id="known", temperature_c=(4.0, 40.0), crew_time="low")
    unknown = listing(id="unknown")
    assert score([known, unknown], p, "known") > score([known, unknown], p, "unknown")


def test_operational_and_flown_listings_score_higher():
    p = proposal(needs=("cell_culture_bioreactor",))
    listings = [
        listing(id="flown", status="operational", first_flight_year=2015),
        listing(id="operational", status="operational"),
        listing(id="planned", status="planned"),
    ]
    scores = [score(listings, p, name) for name in ("flown", "operational", "planned")]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3


def test_matching_text_and_research_areas_score_higher():
    p = proposal(
        title="Bioprinted meniscus",
        summary="Print a meniscus from bioink.",
        research_areas=("biofabrication",),
        needs=("3d_bioprinter",),
    )
    printer = listing(
        id="printer",
        categories=("3d_bioprinter",),
        description="Prints meniscus constructs from bioinks.",
        research_areas=("biofabrication",),
    )
    other = listing(id="other", categories=("3d_bioprinter",), description="Prints electronics.")
    assert score([printer, other], p, "printer") > score([printer, other], p, "other")


def test_an_ineligible_pair_scores_the_ineligible_factor_of_its_fit():
    p = proposal(duration_days=42.0, needs=("cell_culture_bioreactor",))
    short = listing(id="short", max_duration_days=30.0, status="operational")
    unpenalised = score([short], p, "short", replace(DEFAULT_WEIGHTS, ineligible_factor=1.0))
    assert score([short], p, "short") == pytest.approx(unpenalised * 0.5, abs=0.01)


def test_offering_none_of_the_stated_hardware_multiplies_the_score():
    p = proposal(needs=("3d_bioprinter",))
    freezer = listing(id="freezer", categories=("cold_stowage_freezer",), status="operational")
    unpenalised = score([freezer], p, "freezer", replace(DEFAULT_WEIGHTS, no_hardware_factor=1.0))
    assert score([freezer], p, "freezer") == pytest.approx(unpenalised * 0.6, abs=0.01)


def test_weights_change_scores():
    p = proposal(needs=("cell_culture_bioreactor",), summary="culture of stem cells")
    c = listing(description="stem cell culture")
    assert score([c], p, "c-1", replace(DEFAULT_WEIGHTS, text=0.0)) != score([c], p, "c-1")
