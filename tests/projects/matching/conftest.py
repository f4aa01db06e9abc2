"""Shared data for the engine tests: the real catalogue, the example proposals and the held-out flown projects."""

import json
from functools import cache
from pathlib import Path

import pytest

from projects.matching import CapabilityFacts, Catalogue, ProposalNeeds

DATA = Path(__file__).resolve().parent / "data"


def load_json(name):
    return json.loads((DATA / name).read_text())


@cache
def capability_items() -> tuple[dict, ...]:
    return tuple(load_json("iss-facilities.json")["capabilities"])


@cache
def real_capabilities() -> tuple[CapabilityFacts, ...]:
    return tuple(CapabilityFacts.from_interchange(item) for item in capability_items())


@cache
def example_proposals() -> tuple[ProposalNeeds, ...]:
    return tuple(ProposalNeeds.from_interchange(item) for item in load_json("example-proposals.json")["proposals"])


@cache
def flown_proposals() -> tuple[ProposalNeeds, ...]:
    return tuple(ProposalNeeds.from_interchange(item) for item in load_json("flown-projects.json")["proposals"])


@cache
def real_catalogue() -> Catalogue:
    return Catalogue.build(real_capabilities())


@pytest.fixture
def catalogue() -> Catalogue:
    return real_catalogue()
