"""Interchange in, interchange out: a ``leoportal.proposals/1`` document and capability items to a rankings document."""

from collections.abc import Iterable
from typing import TypedDict

from projects.matching.catalogue import Catalogue
from projects.matching.inputs import CapabilityFacts, Item, PrecedentFacts, ProposalNeeds
from projects.matching.ranking import MatchDict, ProviderOptionDict, rank
from projects.matching.weights import DEFAULT_WEIGHTS, Weights, algorithm_version

RANKINGS_FORMAT = "leoportal.rankings/1"


class RankingDict(TypedDict):
    proposal: str
    matches: list[MatchDict]
    providers: list[ProviderOptionDict]


class RankingsDocument(TypedDict):
    format: str
    algorithm: str
    rankings: list[RankingDict]


def rankings_document(
    proposals_document: Item,
    capability_items: Iterable[Item],
    precedent_items: Iterable[Item] = (),
    *,
    top: int = 25,
    near_misses: int = 5,
    weights: Weights = DEFAULT_WEIGHTS,
) -> RankingsDocument:
    """Rank every proposal of a (validated) proposals document against ``capability_items``.

    Each ranking lists the top ``top`` matches by rank, then the near misses that rank lower (they do not fit, rank
    after all others, and carry ``near_miss``: what would make them fit), and ``providers``, the best combination
    of each provider's listings. ``precedent_items`` (flight precedents, ``leoportal.precedents/1`` items) add the
    evidence of past flights. ``algorithm`` names the version of the engine and weights that produced it.
    """
    catalogue = Catalogue.build(
        (CapabilityFacts.from_interchange(item) for item in capability_items),
        [PrecedentFacts.from_interchange(item) for item in precedent_items],
    )
    proposals = [ProposalNeeds.from_interchange(item) for item in proposals_document["proposals"]]
    results = rank(catalogue, proposals, weights=weights, top=top, near_misses=near_misses, providers=True)
    return {
        "format": RANKINGS_FORMAT,
        "algorithm": algorithm_version(weights),
        "rankings": [
            {
                "proposal": result.proposal_id,
                "matches": [match.as_dict() for match in result.kept()],
                "providers": [option.as_dict() for option in result.providers],
            }
            for result in results
        ],
    }
