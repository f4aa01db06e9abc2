"""The matching engine: which listings fit a proposal, how well, and why. Pure Python, numpy and scikit-learn.

Use
---
::

    from projects.matching import CapabilityFacts, Catalogue, PrecedentFacts, ProposalNeeds, rank, rank_one

    catalogue = Catalogue.build(                                 # once per run
        (CapabilityFacts.from_interchange(item) for item in capability_items),
        [PrecedentFacts.from_interchange(item) for item in precedent_items],   # may be empty
    )
    results = rank(catalogue, [ProposalNeeds.from_interchange(item) for item in proposal_items], top=25)
    for result in results:                   # one ProposalRanking per proposal, in input order
        for match in result.kept():          # top 25 by rank, then near misses ranked lower
            match.capability_id, match.rank, match.score, match.fit, match.summary, match.criteria, match.change
    page = rank_one(catalogue, proposal)     # one proposal, with .providers (the provider view)
    open_counts(catalogue, open_proposals)   # {capability id: proposals it fits or is to confirm for}

``rankings_document(proposals_document, capability_items, precedent_items)`` does the same from and to interchange
documents (``leoportal.rankings/1``). ``ALGORITHM`` (or ``algorithm_version(weights)``) is the version string stored
with every result: the engine version plus a digest of the weights and the lexicon.

Per pair
--------
- fit (``Fit``): ``fits`` when every stated need is met by a stated fact, ``to_confirm`` when nothing contradicts but
  something is unstated, met in part, or no need is stated, ``does_not_fit`` when a stated fact contradicts a stated
  need (the kinds of hardware included) or the listing is retired (``criteria/`` documents every check);
- score 0-100: ``100 * sigmoid((z - offset) / scale)``, ``z`` a sum of parts with fitted coefficients
  (``weights.py``): the stated kinds of hardware offered, text and profile relevance, the votes of similar flight
  precedents, status and heritage;
- certainty (``Certainty``) and a summary line: "Meets 5 of 6 needs · 1 to confirm with the provider · 4 similar
  experiments flew here";
- criteria: every check with its outcome (pass, partial, unknown, fail) and a sentence, plus the precedents that flew
  on the listing (``Citation``).

On top of pairs: ranking (fits and to confirm before does not fit, then z, then capability id), near misses (pairs
failing exactly one fact by a small margin, from listings of a needed kind, with the change that would make them
fit) and the provider view (per provider, the best combination of its listings covering the hardware needs).

How it is fast
--------------
``Catalogue.build`` turns the listings into numpy arrays (NaN for unstated numbers, int8 -1/0/1 for tri-state
facts, boolean columns for categories and areas, padded columns for windows and stowage temperatures), fits the
TF-IDF indexes (listings, precedents, listing profiles) once per scoring run. ``ProposalBatch.build`` does the same
for proposals. ``Scorer.block`` scores a block of proposals against every listing with matrix products and
broadcast comparisons (``scorer.py``); blocks bound memory. Only kept pairs are explained (``explain.py``), one
sentence per distinct combination of facts. ``devtools/matching/bench.py`` measures it all on synthetic data.
"""

from projects.matching.catalogue import Catalogue, ProposalBatch
from projects.matching.criteria import CRITERIA, Fit, explain_pair
from projects.matching.document import rankings_document
from projects.matching.explain import Certainty, Check, Citation
from projects.matching.inputs import CapabilityFacts, FactsError, PrecedentFacts, ProposalNeeds
from projects.matching.ranking import (
    ProposalRanking,
    ProviderOption,
    RankedPair,
    explain,
    open_counts,
    rank,
    rank_one,
    select,
)
from projects.matching.weights import ALGORITHM, DEFAULT_WEIGHTS, ENGINE_VERSION, Weights, algorithm_version

__all__ = [
    "ALGORITHM",
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "ENGINE_VERSION",
    "CapabilityFacts",
    "Catalogue",
    "Certainty",
    "Check",
    "Citation",
    "FactsError",
    "Fit",
    "PrecedentFacts",
    "ProposalBatch",
    "ProposalNeeds",
    "ProposalRanking",
    "ProviderOption",
    "RankedPair",
    "Weights",
    "algorithm_version",
    "explain",
    "explain_pair",
    "open_counts",
    "rank",
    "rank_one",
    "rankings_document",
    "select",
]
