"""Invariants, with hypothesis: ranking tiers, monotonic scores when facts are stated, determinism."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.matching import Catalogue, Eligibility, explain_pair, rank, rankings_document
from projects.matching.scoring import DEFAULT_WEIGHTS

from .conftest import capability_items, example_proposals, load_json, real_catalogue
from .strategies import capabilities, catalogues, proposal_lists, proposals

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIER = {Eligibility.ELIGIBLE: 0, Eligibility.UNCONFIRMED: 0, Eligibility.INELIGIBLE: 1}


def ranked(listings, proposal, weights=DEFAULT_WEIGHTS):
    catalogue = Catalogue.build(listings)
    (result,) = rank(catalogue, [proposal], weights=weights, top=len(catalogue), near_misses=0)
    return result.matches


@SETTINGS
@given(listings=catalogues(max_size=10), proposal=proposals())
def test_an_ineligible_pair_never_ranks_above_an_eligible_or_unconfirmed_one(listings, proposal):
    matches = ranked(listings, proposal)
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
    tiers = [TIER[m.eligibility] for m in matches]
    assert tiers == sorted(tiers)
    # Within a tier: score descending, then capability id ascending.
    keys = [(TIER[m.eligibility], -m.score, m.capability_id) for m in matches]
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
    assert TIER[after.eligibility] <= TIER[before.eligibility]
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
        "from tests.projects.matching.conftest import load_json; "
        "listings = load_json('iss-facilities.json')['capabilities']; "
        "doc = rankings_document(load_json('example-proposals.json'), listings); "
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
    here = json.dumps(rankings_document(load_json("example-proposals.json"), list(capability_items())), sort_keys=True)
    assert outputs == [here, here, here]


def test_near_misses_fail_exactly_one_fact_and_are_never_above_eligible_pairs():
    catalogue = real_catalogue()
    seen = 0
    for result in rank(catalogue, example_proposals(), top=len(catalogue), near_misses=5):
        last_eligible_rank = max((m.rank for m in result.matches if m.eligibility != Eligibility.INELIGIBLE), default=0)
        for near in result.near_misses:
            capability = catalogue.capabilities[catalogue.index[near.capability_id]]
            _, eligibility, failed = explain_pair(result.proposal, capability, DEFAULT_WEIGHTS)
            assert (eligibility, len(failed)) == (Eligibility.INELIGIBLE, 1)
            assert near.rank > last_eligible_rank
            assert near.change.startswith("eligible if ")
            seen += 1
    assert seen >= 10
