"""Shared data for the engine tests: the real catalogue and precedents, the example proposals (the project's copies)
and the flown projects."""

import json
from functools import cache
from pathlib import Path

import pytest

from devtools.matching.corpus import CATALOGUE, FLOWN_PROJECTS, PRECEDENTS
from projects.matching import CapabilityFacts, Catalogue, PrecedentFacts, ProposalNeeds

# The illustrative proposals (leoportal.proposals/1, invented) the demo loads: the project's one copy.
EXAMPLES = Path(__file__).resolve().parents[3] / "projects" / "data" / "demo_proposals.json"


def example_document() -> dict:
    return json.loads(EXAMPLES.read_text())


@cache
def capability_items() -> tuple[dict, ...]:
    return tuple(json.loads(CATALOGUE.read_text())["capabilities"])


@cache
def precedent_items() -> tuple[dict, ...]:
    return tuple(json.loads(PRECEDENTS.read_text())["precedents"])


@cache
def real_precedents() -> tuple[PrecedentFacts, ...]:
    return tuple(PrecedentFacts.from_interchange(item) for item in precedent_items())


@cache
def real_capabilities() -> tuple[CapabilityFacts, ...]:
    return tuple(CapabilityFacts.from_interchange(item) for item in capability_items())


@cache
def example_proposals() -> tuple[ProposalNeeds, ...]:
    return tuple(ProposalNeeds.from_interchange(item) for item in example_document()["proposals"])


@cache
def flown_proposals() -> tuple[ProposalNeeds, ...]:
    return tuple(ProposalNeeds.from_interchange(item) for item in json.loads(FLOWN_PROJECTS.read_text())["proposals"])


@cache
def real_catalogue() -> Catalogue:
    """The real catalogue with the real flight precedents."""
    return Catalogue.build(real_capabilities(), real_precedents())


@cache
def bare_catalogue() -> Catalogue:
    """The real catalogue without precedents."""
    return Catalogue.build(real_capabilities())


@pytest.fixture
def catalogue() -> Catalogue:
    return real_catalogue()
