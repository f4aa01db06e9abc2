"""Interchange in, interchange out: the rankings document validates against leoportal.rankings/1."""

import json

import pytest

from devtools.matching.corpus import FLOWN_PROJECTS
from leoportal.interchange import PROPOSALS, RANKINGS, parse_document
from projects.matching import ALGORITHM, FactsError, rankings_document

from .conftest import capability_items, example_document, precedent_items


@pytest.fixture
def document():
    return rankings_document(example_document(), list(capability_items()), list(precedent_items()), top=5)


def test_rankings_document_validates_against_the_schema(document):
    assert parse_document(document, RANKINGS) is document


def test_rankings_document_ranks_every_proposal_in_order(document):
    proposals = example_document()["proposals"]
    assert [ranking["proposal"] for ranking in document["rankings"]] == [p["id"] for p in proposals]
    assert document["algorithm"] == ALGORITHM


def test_rankings_document_lists_top_matches_then_lower_near_misses(document):
    for ranking in document["rankings"]:
        matches = ranking["matches"]
        ranks = [m["rank"] for m in matches]
        assert ranks == sorted(ranks)
        assert ranks[:5] == [1, 2, 3, 4, 5]
        below = matches[5:]
        assert all(m["eligibility"] == "does_not_fit" and m["near_miss"].startswith("fits if ") for m in below)


def test_rankings_document_match_shape(document):
    first = document["rankings"][0]["matches"][0]
    assert set(first) == {
        "capability",
        "provider",
        "rank",
        "score",
        "eligibility",
        "summary",
        "certainty",
        "precedents",
        "criteria",
    }
    assert (first["capability"], first["provider"], first["rank"]) == ("redwire-bff", "Redwire Space", 1)
    assert first["criteria"][0] == {"name": "status", "outcome": "pass", "detail": "operational"}
    stated = first["certainty"]["stated"]
    assert first["summary"].startswith(f"Meets {first['certainty']['met']} of {stated} needs")


def test_rankings_document_carries_the_provider_view(document):
    cartilage = document["rankings"][0]
    assert cartilage["providers"][0]["provider"] == "Redwire Space"
    assert cartilage["providers"][0]["covers"]["3d_bioprinter"] == "redwire-bff"


def test_flown_projects_are_a_valid_proposals_document():
    assert len(parse_document(json.loads(FLOWN_PROJECTS.read_text()), PROPOSALS)["proposals"]) == 30


def test_semantic_errors_are_refused_with_every_problem():
    bad = {
        "format": "leoportal.proposals/1",
        "proposals": [
            {
                "id": "p-1",
                "title": "t",
                "summary": "s",
                "temperature_c": {"min": 40, "max": 4},
                "launch_window": {"earliest": "2028-01-01", "latest": "2027-01-01"},
            }
        ],
    }
    with pytest.raises(FactsError) as raised:
        rankings_document(bad, list(capability_items()))
    assert raised.value.problems == [
        "launch_window: earliest 2028-01-01 is after latest 2027-01-01",
        "temperature_c: min (40) is above max (4)",
    ]


def test_duplicate_capability_ids_are_refused():
    items = list(capability_items())
    with pytest.raises(ValueError, match="capability ids must be unique; repeated: redwire-bff"):
        rankings_document(example_document(), [*items, items[0]])
