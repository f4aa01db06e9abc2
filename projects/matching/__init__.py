"""The matching engine: which listings fit a proposal, how well, and why. Pure Python and numpy; no Django.

Use
---
::

    from projects.matching import CapabilityFacts, Catalogue, ProposalNeeds, Weights, rank, rank_one

    catalogue = Catalogue.build(CapabilityFacts.from_interchange(item) for item in capability_items)  # once per run
    results = rank(catalogue, [ProposalNeeds.from_interchange(item) for item in proposal_items], top=25)
    for result in results:                   # one ProposalRanking per proposal, in input order
        for match in result.kept():          # top 25 by rank, then near misses ranked lower
            match.capability_id, match.rank, match.score, match.eligibility, match.criteria, match.change
    page = rank_one(catalogue, proposal)     # one proposal, with .providers (the provider view)
    open_counts(catalogue, open_proposals)   # {capability id: proposals it is eligible or unconfirmed for}

``rankings_document(proposals_document, capability_items)`` does the same from and to interchange documents
(``leoportal.rankings/1``). ``ALGORITHM`` (or ``algorithm_version(weights)``) is the version string to store with
every result: the engine version plus a digest of the weights and the lexicon, so changing either changes it.

Per pair
--------
- eligibility: ``ineligible`` when a stated fact contradicts a stated need, ``unconfirmed`` when nothing
  contradicts but a needed fact is unstated, ``eligible`` otherwise (``criteria.py`` documents each check and
  the decisions where the format leaves room: return temperatures, centrifuges on host platforms, launch windows);
- score 0-100: hardware coverage (stated needs; inferred ones from text, sample type and research areas at a
  lower weight; partial credit when a host platform could carry the kind as the proposer's payload), research-area
  overlap, TF-IDF text relevance with a domain lexicon, share of needed facts confirmed, flight heritage and status,
  weighted by ``Weights``; a listing offering none of the stated kinds scores x0.6, an ineligible pair x0.5;
- criteria: every check with its outcome (pass, partial, unknown, fail) and a sentence ("needs 36-38 C; holds
  18-40 C", "provider has not stated a maximum duration; you need 42 days").

On top of pairs: ranking (eligible and unconfirmed before ineligible, then score, then capability id), near misses
(ineligible pairs failing exactly one fact by a small margin, with the change that would make them eligible) and
the provider view (per provider, the best combination of its listings covering the hardware needs).

Hardware kind mismatch is a low score, not a filter
----------------------------------------------------
A freezer for a bioprinting job offers none of the stated kinds: it loses the whole hardware share and its score
is multiplied by 0.6, so it cannot rank near a bioprinter. Making it ineligible instead
(``Weights(require_needed_hardware=True)``) was measured on the held-out flown projects
(``python -m projects.matching.evaluation --compare``): the same hit@k and MRR as written, slightly worse when
proposers state a too generic need; and it would call "ineligible" a pair whose only problem is the proposer's
choice of category, which is no stated contradiction. README.md has the figures.

How it is fast
--------------
``Catalogue.build`` turns the listings into numpy arrays (NaN for unstated numbers, int8 -1/0/1 for tri-state
facts, boolean columns for categories and areas, padded columns for windows and stowage temperatures) and fits the
TF-IDF index, once per scoring run. ``ProposalBatch.build`` does the same for proposals. ``Scorer.block`` scores a
block of proposals against every listing with matrix products and broadcast comparisons (``scoring.py``); blocks
bound memory. Only kept pairs are explained (``explain.py``), one sentence per distinct combination of facts.
``bench.py`` measures it all on synthetic data.
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
