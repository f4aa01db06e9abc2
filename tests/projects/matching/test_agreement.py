"""The vectorized engine agrees with the scalar rules, pair by pair: outcomes, sentences, counts and the fit."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from projects.matching import CRITERIA, Catalogue, ProposalBatch, explain_pair, rank
from projects.matching.explain import explain_pairs
from projects.matching.scorer import Scorer
from projects.matching.weights import DEFAULT_WEIGHTS

from .conftest import example_proposals, flown_proposals, real_catalogue
from .strategies import catalogues, proposal_lists


def assert_agreement(catalogue, proposals, weights):
    batch = ProposalBatch.build(proposals, catalogue)
    size = len(catalogue)
    rows = np.repeat(np.arange(len(proposals)), size)
    columns = np.tile(np.arange(size), len(proposals))
    vectorized = explain_pairs(catalogue, batch, weights, rows, columns)
    block = Scorer(catalogue, batch, weights).block(slice(0, len(proposals)))
    fit_by_pair = {}
    for result in rank(catalogue, proposals, weights=weights, top=size, near_misses=0):
        for match in result.matches:
            fit_by_pair[result.proposal_id, match.capability_id] = match.fit
    facts = {criterion.name for criterion in CRITERIA if criterion.fact}
    for i, (row, column) in enumerate(zip(rows.tolist(), columns.tolist(), strict=True)):
        p, c = batch.proposals[row], catalogue.capabilities[column]
        scalar, fit, _ = explain_pair(p, c, weights)
        checks, certainty, _ = vectorized[i]
        assert [tuple(check) for check in checks if check.name != "precedents"] == scalar, (p.id, c.id)
        failed = sum(1 for name, outcome, _ in scalar if name in facts and outcome == "fail")
        assert block.failures[row, column] == failed, (p.id, c.id)
        assert fit_by_pair[p.id, c.id] == fit, (p.id, c.id)
        fact_outcomes = [outcome for name, outcome, _ in scalar if name in facts]
        kinds = set(p.needs)
        offered = kinds & set(c.offered_categories)
        assert certainty.stated == len(kinds) + len(fact_outcomes), (p.id, c.id)
        assert certainty.met == len(offered) + fact_outcomes.count("pass"), (p.id, c.id)
        total = certainty.not_met + certainty.to_confirm + certainty.met + certainty.elsewhere
        assert total == certainty.stated, (p.id, c.id)
        assert (fit == "fits") == (certainty.met == certainty.stated > 0 and c.status == "operational"), (p.id, c.id)


def test_vectorized_agrees_with_scalar_rules_on_the_real_catalogue_and_example_proposals():
    assert_agreement(real_catalogue(), list(example_proposals()), DEFAULT_WEIGHTS)


def test_vectorized_agrees_with_scalar_rules_on_the_real_catalogue_and_flown_projects():
    assert_agreement(real_catalogue(), list(flown_proposals()), DEFAULT_WEIGHTS)


@pytest.mark.slow(seconds=15)  # 150 random catalogues and proposal lists, each pair explained both ways
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(listings=catalogues(), proposals=proposal_lists())
def test_vectorized_agrees_with_scalar_rules_on_random_inputs(listings, proposals):
    assert_agreement(Catalogue.build(listings), proposals, DEFAULT_WEIGHTS)


def test_outcome_codes_cover_every_outcome_on_the_real_data():
    # Guards the agreement tests above against passing vacuously: real data exercises fails and unknowns.
    catalogue = real_catalogue()
    outcomes = set()
    for p in example_proposals() + flown_proposals():
        for c in catalogue.capabilities:
            outcomes.update(outcome for _, outcome, _ in explain_pair(p, c, DEFAULT_WEIGHTS)[0])
    assert outcomes == {"pass", "partial", "unknown", "fail"}
