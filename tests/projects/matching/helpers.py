"""Small builders for engine tests: a proposal or a listing with only the facts a test cares about."""

from datetime import date

from projects.matching import CapabilityFacts, Catalogue, ProposalBatch, ProposalNeeds, explain_pair
from projects.matching.explain import explain_pairs
from projects.matching.weights import DEFAULT_WEIGHTS


def proposal(**facts) -> ProposalNeeds:
    defaults = {"id": "p-1", "title": "A proposal", "summary": "Nothing in particular."}
    return ProposalNeeds(**{**defaults, **facts})


def listing(**facts) -> CapabilityFacts:
    defaults = {"id": "c-1", "name": "A listing", "provider": "Provider A", "categories": ("cell_culture_bioreactor",)}
    return CapabilityFacts(**{**defaults, **facts})


def day(text: str) -> date:
    return date.fromisoformat(text)


def checks(p, c, weights=DEFAULT_WEIGHTS) -> dict:
    """{criterion: (outcome, detail)} from the scalar rules, after asserting the vectorized path says the same."""
    rows, _, _ = explain_pair(p, c, weights)
    scalar = {name: (outcome, detail) for name, outcome, detail in rows}
    catalogue = Catalogue.build([c])
    batch = ProposalBatch.build([p], catalogue)
    ((vectorized, _, _),) = explain_pairs(catalogue, batch, weights, [0], [0])
    assert {check.name: (check.outcome, check.detail) for check in vectorized} == scalar
    assert [check.name for check in vectorized] == [name for name, _, _ in rows]
    return scalar


def check(p, c, name, weights=DEFAULT_WEIGHTS):
    """(outcome, detail) of one criterion, or None when it was not checked."""
    return checks(p, c, weights).get(name)
