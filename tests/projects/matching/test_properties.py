"""Invariants, with hypothesis: ranking tiers, fit labels that never contradict the checks, monotonic scores and
places when needs or facts are stated, determinism."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from projects.matching import Catalogue, Fit, explain_pair, rank, rankings_document
from projects.matching.criteria import likely_needs, returns_samples
from projects.matching.weights import DEFAULT_WEIGHTS

from .conftest import (
    capability_items,
    example_document,
    example_proposals,
    flown_proposals,
    precedent_items,
    real_catalogue,
    real_precedents,
)
from .strategies import capabilities, catalogues, proposal_lists, proposals

# Forty examples a property keep the file near half a minute; PROPERTY_EXAMPLES=400 makes a deeper search.
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "40"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
pytestmark = pytest.mark.broad  # searches over generated catalogues (make test-fast leaves them out)
TIER = {Fit.FITS: 0, Fit.TO_CONFIRM: 0, Fit.DOES_NOT_FIT: 1}


def ranked(listings, proposal, weights=DEFAULT_WEIGHTS, precedents=()):
    catalogue = Catalogue.build(listings, precedents)
    (result,) = rank(catalogue, [proposal], weights=weights, top=len(catalogue), near_misses=0)
    return result.matches


@SETTINGS
@given(listings=catalogues(max_size=10), proposal=proposals())
def test_an_ineligible_pair_never_ranks_above_an_eligible_or_unconfirmed_one(listings, proposal):
    matches = ranked(listings, proposal)
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
    tiers = [TIER[m.fit] for m in matches]
    assert tiers == sorted(tiers)
    # Within a tier: score descending (ties in the shown score are ordered by the finer linear score, then id).
    keys = [(TIER[m.fit], -m.score) for m in matches]
    assert keys == sorted(keys)


def satisfying(field, p):
    """A value for a listing's ``field`` that meets every need of ``p`` the field is checked against."""
    returns = p.return_temperature_c if p.sample_return is not False else None
    if field == "temperature_c":
        points = [t for t in (*(p.temperature_c or ()), returns) if t is not None] or [20.0]
        return (min(points), max(points))
    if field == "cold_stowage_c":
        return (returns,) if returns is not None else (-80.0,)
    if field == "availability":
        return (p.launch_window,) if p.launch_window else ((date(2027, 1, 1), date(2027, 6, 1)),)
    return {
        "status": "operational",
        "co2_control": True,
        "humidity_control": True,
        "imaging": True,
        "capacity_units": p.units_needed or 10,
        "max_duration_days": p.duration_days or 30.0,
        "power_w": p.power_w or 100.0,
        "crew_time": "none",
        "variable_gravity_g": (0.0, 2.0),
        "sample_return": True,
        "biosafety_level": 4,
        "first_flight_year": 2015,
    }[field]


FIELDS = [
    "status",
    "temperature_c",
    "co2_control",
    "humidity_control",
    "capacity_units",
    "max_duration_days",
    "power_w",
    "crew_time",
    "imaging",
    "variable_gravity_g",
    "sample_return",
    "cold_stowage_c",
    "biosafety_level",
    "first_flight_year",
    "availability",
]


def score_of(listings, p, capability_id):
    return next(m for m in ranked(listings, p) if m.capability_id == capability_id)


@SETTINGS
@given(
    others=catalogues(max_size=4),
    listing=capabilities(index=99),
    p=proposals(),
    field=st.sampled_from(FIELDS),
)
def test_stating_a_matching_fact_never_lowers_the_score(others, listing, p, field):
    unstated = replace(listing, **{field: None})
    stated = replace(listing, **{field: satisfying(field, p)})
    before = score_of([*others, unstated], p, listing.id)
    after = score_of([*others, stated], p, listing.id)
    assert after.score >= before.score
    assert TIER[after.fit] <= TIER[before.fit]
    # The criteria this fact is checked against can only have improved.
    order = {"fail": 0, "unknown": 1, "partial": 2, "pass": 3}
    was = {check.name: order[check.outcome] for check in before.criteria}
    now = {check.name: order[check.outcome] for check in after.criteria}
    assert all(now[name] >= was[name] for name in was)


@SETTINGS
@given(listings=catalogues(), proposal_list=proposal_lists(), data=st.data())
def test_same_inputs_give_the_same_result_alone_in_any_batch_and_any_order(listings, proposal_list, data):
    catalogue = Catalogue.build(listings)
    together = rank(catalogue, proposal_list, top=5, near_misses=3, providers=True)
    again = rank(Catalogue.build(list(reversed(listings))), proposal_list, top=5, near_misses=3, providers=True)
    shuffled = data.draw(st.permutations(proposal_list))
    in_other_order = {r.proposal_id: r for r in rank(catalogue, shuffled, top=5, near_misses=3, providers=True)}
    in_blocks_of_one = rank(catalogue, proposal_list, top=5, near_misses=3, providers=True, chunk_rows=1)
    for index, result in enumerate(together):
        (alone,) = rank(catalogue, [proposal_list[index]], top=5, near_misses=3, providers=True)
        for other in (again[index], in_other_order[result.proposal_id], in_blocks_of_one[index], alone):
            assert (other.matches, other.near_misses, other.providers) == (
                result.matches,
                result.near_misses,
                result.providers,
            )


def test_the_rankings_document_is_identical_across_processes_and_hash_seeds():
    script = (
        "import json, sys; from projects.matching import rankings_document; "
        "from tests.projects.matching.conftest import example_document; "
        "from tests.projects.matching.conftest import capability_items, precedent_items; "
        "doc = rankings_document(example_document(), list(capability_items()), "
        "list(precedent_items())); "
        "sys.stdout.write(json.dumps(doc, sort_keys=True))"
    )
    root = Path(__file__).resolve().parents[3]
    outputs = []
    for seed in ("1", "2", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        completed = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, check=True
        )
        outputs.append(completed.stdout)
    document = rankings_document(example_document(), list(capability_items()), list(precedent_items()))
    here = json.dumps(document, sort_keys=True)
    assert outputs == [here, here, here]


def assert_near_misses_are_sound(catalogue, results):
    seen = 0
    for result in results:
        last_open_rank = max((m.rank for m in result.matches if m.fit != Fit.DOES_NOT_FIT), default=0)
        targets = set(result.proposal.needs) or set(likely_needs(result.proposal))
        for near in result.near_misses:
            capability = catalogue.capabilities[catalogue.index[near.capability_id]]
            _, fit, failed = explain_pair(result.proposal, capability, DEFAULT_WEIGHTS)
            assert (fit, len(failed)) == (Fit.DOES_NOT_FIT, 1)
            assert near.rank > last_open_rank
            assert near.change.startswith("fits if ")
            # Never hardware of the wrong kind: it offers one of the kinds the proposal needs, itself.
            assert targets & set(capability.offered_categories), (result.proposal_id, near.capability_id)
            seen += 1
    return seen


def test_near_misses_on_real_data_fail_exactly_one_fact_of_the_right_kind_of_hardware():
    catalogue = real_catalogue()
    proposals = [*example_proposals(), *flown_proposals()]
    results = rank(catalogue, proposals, top=len(catalogue), near_misses=5)
    assert assert_near_misses_are_sound(catalogue, results) >= 3


@SETTINGS
@given(listings=catalogues(), proposal_list=proposal_lists())
def test_near_misses_fail_exactly_one_fact_and_never_offer_the_wrong_kind(listings, proposal_list):
    catalogue = Catalogue.build(listings)
    results = rank(catalogue, proposal_list, top=len(catalogue), near_misses=5)
    assert_near_misses_are_sound(catalogue, results)


# The fit never contradicts the checks; stating more never lowers a listing that meets it.

REQUIREMENTS = (
    "needs",
    "temperature_c",
    "co2",
    "humidity",
    "units_needed",
    "duration_days",
    "power_w",
    "crew_time",
    "imaging",
    "variable_gravity",
    "sample_return",
    "return_temperature_c",
    "biosafety_level",
    "launch_window",
)


def bare(p):
    """The same proposal stating no flight requirement: its science (text, areas, sample type) only."""
    return replace(p, **{field: () if field == "needs" else None for field in REQUIREMENTS})


@SETTINGS
@given(listings=catalogues(max_size=8), proposal=proposals())
def test_no_pair_fits_beside_a_failed_check_and_a_bare_proposal_fits_nothing(listings, proposal):
    for match in ranked(listings, proposal, precedents=real_precedents()):
        if any(check.outcome == "fail" for check in match.criteria):
            assert match.fit != Fit.FITS, (match.capability_id, match.criteria)
        if match.fit == Fit.FITS:
            assert match.certainty.met == match.certainty.stated > 0
    assert all(m.fit != Fit.FITS for m in ranked(listings, bare(proposal)))


def met_value(field, listing, p):
    """A value of ``field`` that ``listing``'s stated facts meet, or None when it states nothing to meet."""
    if field == "needs":
        offered = [kind for kind in listing.offered_categories if kind not in p.needs]
        return (*p.needs, offered[0]) if offered else None
    if field == "temperature_c":
        return listing.temperature_c
    if field in ("co2", "humidity", "imaging"):
        stated = {"co2": listing.co2_control, "humidity": listing.humidity_control, "imaging": listing.imaging}[field]
        return True if stated else None
    if field == "units_needed":
        return listing.capacity_units or None
    if field == "duration_days":
        return listing.max_duration_days or None
    if field == "power_w":
        return listing.power_w or None
    if field == "crew_time":
        return "high" if listing.crew_time else None
    if field == "variable_gravity":
        return True if "variable_gravity_centrifuge" in listing.offered_categories else None
    if field == "sample_return":
        return True if returns_samples(listing) else None
    if field == "return_temperature_c":
        if p.sample_return is False:
            return None
        if listing.temperature_c:
            return listing.temperature_c[0]
        return listing.cold_stowage_c[0] if listing.cold_stowage_c else None
    if field == "biosafety_level":
        return 1 if listing.biosafety_level else None
    if field == "launch_window":
        return listing.availability[0] if listing.availability else None
    raise AssertionError(field)


@pytest.mark.slow(seconds=15)  # twice the examples of the others, each ranked twice with the real precedents
@settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(listings=catalogues(max_size=8), p=proposals(), field=st.sampled_from(REQUIREMENTS), data=st.data())
def test_stating_a_need_a_listing_meets_never_lowers_its_score_or_place(listings, p, field, data):
    chosen = data.draw(st.sampled_from(listings))
    value = met_value(field, chosen, p)
    assume(value is not None and (field == "needs" or getattr(p, field) is None))
    before = {m.capability_id: m for m in ranked(listings, p, precedents=real_precedents())}
    after = {m.capability_id: m for m in ranked(listings, replace(p, **{field: value}), precedents=real_precedents())}
    was, now = before[chosen.id], after[chosen.id]
    assert now.score >= was.score
    assert TIER[now.fit] <= TIER[was.fit]
    if field != "needs":
        assert now.rank <= was.rank
    else:
        # A newly stated kind can bring back listings that offer only it (they offered none of the kinds stated
        # before): only those may pass the listing that meets it.
        passed = {m for m, match in after.items() if match.rank < now.rank and before[m].rank > was.rank}
        assert all(TIER[before[m].fit] == 1 and TIER[after[m].fit] == 0 for m in passed)


@SETTINGS
@given(listings=catalogues(max_size=8), p=proposals())
def test_a_bare_proposal_never_scores_above_its_stated_twin(listings, p):
    stated = {m.capability_id: m for m in ranked(listings, p, precedents=real_precedents())}
    unstated = {m.capability_id: m for m in ranked(listings, bare(p), precedents=real_precedents())}
    for capability_id, match in stated.items():
        if match.fit != Fit.DOES_NOT_FIT:
            assert unstated[capability_id].score <= match.score, capability_id
    best_stated = max((m.score for m in stated.values() if m.fit != Fit.DOES_NOT_FIT), default=None)
    best_unstated = max(unstated.values(), key=lambda m: (m.score, m.capability_id), default=None)
    if best_unstated is not None and stated[best_unstated.capability_id].fit != Fit.DOES_NOT_FIT:
        assert best_unstated.score <= best_stated
