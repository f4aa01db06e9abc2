"""Weights, the algorithm version, and what the score rewards."""

import json
import math
import re
from dataclasses import replace

import pytest

from projects.matching import ALGORITHM, ENGINE_VERSION, Catalogue, PrecedentFacts, Weights, algorithm_version, rank
from projects.matching.weights import COEFFICIENTS, DEFAULT_WEIGHTS, FITTED, fitted_weights

from .helpers import listing, proposal


def test_algorithm_version_is_the_engine_version_and_a_digest():
    assert re.fullmatch(rf"{re.escape(ENGINE_VERSION)}\+[0-9a-f]{{10}}", ALGORITHM)
    assert algorithm_version(fitted_weights()) == ALGORITHM


def test_algorithm_version_changes_with_any_weight():
    versions = {
        algorithm_version(replace(DEFAULT_WEIGHTS, **{name: 1.25}))
        for name in ("text", "hardware", "heritage", "neighbour_power")
    }
    versions.add(algorithm_version(replace(DEFAULT_WEIGHTS, neighbours=3)))
    assert len(versions) == 5 and ALGORITHM not in versions


@pytest.mark.parametrize("bad", [{"text": -1.0}, {"hardware": float("nan")}, {"neighbours": 0}])
def test_weights_refuse_bad_values(bad):
    with pytest.raises(ValueError, match="weight"):
        Weights(**bad)


def test_default_weights_are_the_fitted_ones_and_never_negative():
    fitted = json.loads(FITTED.read_text())["weights"]
    assert {name: getattr(DEFAULT_WEIGHTS, name) for name in fitted} == fitted
    assert sorted(fitted) == sorted([*COEFFICIENTS, "offset", "scale"])
    assert all(fitted[name] >= 0 for name in COEFFICIENTS)


def score(listings, p, capability_id, weights=DEFAULT_WEIGHTS, precedents=()):
    (result,) = rank(Catalogue.build(listings, precedents), [p], weights=weights, top=len(listings), near_misses=0)
    return next(m.score for m in result.matches if m.capability_id == capability_id)


def test_the_score_is_the_sigmoid_of_the_weighted_parts():
    # One listing, one stated kind, no text in common: z = hardware x rarity + status + heritage.
    weights = replace(
        DEFAULT_WEIGHTS, hardware=2.0, text=0.0, profile=0.0, status=1.0, heritage=0.5, offset=3.0, scale=2.0
    )
    c = listing(status="operational", first_flight_year=2010)
    rarity = round(16 * math.log(2 / 2)) / 16  # one listing, which offers the kind
    z = 2.0 * rarity + 1.0 * 1.0 + 0.5 * 1.0
    expected = 100 / (1 + math.exp((3.0 - z) / 2.0))
    assert score([c], proposal(needs=("cell_culture_bioreactor",)), "c-1", weights) == pytest.approx(expected, abs=0.01)


def test_a_rare_kind_weighs_more_than_a_common_one():
    listings = [
        listing(id="capsule", categories=("free_flyer_recoverable_capsule", "sample_return"), status="operational"),
        *[listing(id=f"return-{i}", categories=("sample_return",), status="operational") for i in range(5)],
    ]
    both = proposal(needs=("free_flyer_recoverable_capsule", "sample_return"))
    weights = replace(DEFAULT_WEIGHTS, text=0.0, profile=0.0)
    assert score(listings, both, "capsule", weights) > score(listings, both, "return-0", weights)


def test_confirmed_facts_do_not_raise_the_score_when_their_coefficient_is_zero():
    # The fitted coefficient of confirmed facts is 0: the certainty is shown apart, not mixed into the score.
    p = proposal(temperature_c=(36.0, 38.0), crew_time="low")
    known = listing(id="known", temperature_c=(4.0, 40.0), crew_time="low")
    unknown = listing(id="unknown")
    zero = replace(DEFAULT_WEIGHTS, confirmed=0.0)
    assert score([known, unknown], p, "known", zero) == score([known, unknown], p, "unknown", zero)
    counted = replace(DEFAULT_WEIGHTS, confirmed=1.0)
    assert score([known, unknown], p, "known", counted) > score([known, unknown], p, "unknown", counted)


def test_operational_and_flown_listings_score_higher():
    p = proposal(needs=("cell_culture_bioreactor",))
    listings = [
        listing(id="flown", status="operational", first_flight_year=2015),
        listing(id="operational", status="operational"),
        listing(id="planned", status="planned"),
    ]
    scores = [score(listings, p, name) for name in ("flown", "operational", "planned")]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3


def test_matching_text_scores_higher():
    p = proposal(title="Bioprinted meniscus", summary="Print a meniscus from bioink.", needs=("3d_bioprinter",))
    printer = listing(
        id="printer", categories=("3d_bioprinter",), description="Prints meniscus constructs from bioinks."
    )
    other = listing(id="other", categories=("3d_bioprinter",), description="Prints electronics.")
    assert score([printer, other], p, "printer") > score([printer, other], p, "other")


def test_a_listing_that_flew_a_similar_experiment_scores_higher():
    twins = [listing(id=name, status="operational") for name in ("flew-it", "never")]
    flight = PrecedentFacts(
        id="cardiac-2019",
        title="Cardiomyocyte culture",
        summary="Human cardiomyocytes derived from stem cells were cultured for a month and returned.",
        facilities=("flew-it",),
        year=2019,
        label="Cardiomyocyte culture",
    )
    p = proposal(title="Cardiomyocytes in orbit", summary="We will culture cardiomyocytes derived from stem cells.")
    assert score(twins, p, "flew-it", precedents=[flight]) > score(twins, p, "never", precedents=[flight])
    assert score(twins, p, "flew-it") == score(twins, p, "never")


def test_a_pair_that_does_not_fit_keeps_the_factor_of_its_score():
    p = proposal(duration_days=42.0, needs=("cell_culture_bioreactor",))
    short = listing(id="short", max_duration_days=30.0, status="operational")
    unpenalised = score([short], p, "short", replace(DEFAULT_WEIGHTS, does_not_fit_factor=1.0))
    assert score([short], p, "short") == pytest.approx(unpenalised * 0.5, abs=0.01)


def test_weights_change_scores():
    p = proposal(needs=("cell_culture_bioreactor",), summary="culture of stem cells in a bioreactor")
    c = listing(description="stem cell culture with automated feeding", name="Culture facility")
    assert score([c], p, "c-1", replace(DEFAULT_WEIGHTS, text=0.0)) != score([c], p, "c-1")
