"""Suggested reviewer assignments for a call: pure, deterministic, explained. Imports nothing from Django.

Affinity of a reviewer to a proposal uses the matcher's own text and area machinery: the proposal's words against
the reviewer's keywords and bio (TF-IDF with the domain lexicon's stems and concepts, ``text.TextIndex``), and the
research areas they share. Conflicts of interest are hard rules: a pair in ``conflicts`` is never suggested. Loads
are balanced: proposals are served in rounds (one reviewer each per round, the hardest to staff first), and each
pick weighs affinity against how full the reviewer already is, so nobody passes the maximum and the work spreads.
Every suggestion says why ("shares organoids and stem cells; 3 assigned of 5").
"""

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np

from projects.matching.lexicon import analyze_text
from projects.matching.text import TextIndex
from projects.matching.vocabulary import RESEARCH_AREA_LABELS, join_words

AREA_WEIGHT = 0.5
TEXT_WEIGHT = 0.5
# How much a reviewer's fullness (load / maximum) counts against their affinity when picking.
BALANCE_WEIGHT = 0.35


@dataclass(frozen=True)
class Reviewer:
    id: int
    areas: tuple[str, ...]
    keywords: tuple[str, ...]
    bio: str = ""
    load: int = 0  # proposals of the call already assigned


@dataclass(frozen=True)
class ProposalToReview:
    id: int
    title: str
    areas: tuple[str, ...]
    text: str
    assigned: frozenset[int] = frozenset()  # reviewers already assigned
    conflicts: frozenset[int] = frozenset()  # reviewers who may never review it


@dataclass(frozen=True)
class Suggestion:
    proposal_id: int
    reviewer_id: int
    affinity: float
    reason: str


@dataclass
class Suggestions:
    pairs: list[Suggestion] = field(default_factory=list)
    # Proposals that could not get every reviewer they need, with how many are missing.
    short: dict[int, int] = field(default_factory=dict)


def _features(text: str) -> tuple[list[str], frozenset[str]]:
    features, concepts = analyze_text(text)
    return list(features), concepts


def _shared_words(proposal_features: set[str], proposal_concepts: AbstractSet[str], reviewer: Reviewer) -> list[str]:
    """The reviewer's own keywords the proposal speaks of (every content word of the keyword found in it), in the
    reviewer's words; then concepts of the lexicon both mention that no keyword already named."""
    words = []
    for keyword in reviewer.keywords:
        features, concepts = _features(keyword)
        content = [f for f in features if not f.startswith("c_")]
        if (content and set(content) <= proposal_features) or (concepts and concepts <= proposal_concepts):
            words.append(keyword)
    return words


def affinities(proposals: list[ProposalToReview], reviewers: list[Reviewer]) -> np.ndarray:
    """(proposals x reviewers) affinity in [0, 1]."""
    if not proposals or not reviewers:
        return np.zeros((len(proposals), len(reviewers)), dtype=np.float32)
    index = TextIndex([" ".join((*r.keywords, r.bio)) for r in reviewers])
    text = index.similarity(index.transform([_features(p.text)[0] for p in proposals]))
    areas = np.zeros_like(text)
    for row, proposal in enumerate(proposals):
        mine = set(proposal.areas)
        if not mine:
            continue
        for column, reviewer in enumerate(reviewers):
            areas[row, column] = len(mine & set(reviewer.areas)) / len(mine)
    return AREA_WEIGHT * areas + TEXT_WEIGHT * np.clip(text, 0.0, 1.0)


def suggest(
    proposals: list[ProposalToReview],
    reviewers: list[Reviewer],
    per_proposal: int,
    max_load: int,
    progress: Callable[[int, int], object] | None = None,
) -> Suggestions:
    """Suggest reviewers so that each proposal has ``per_proposal`` in all, nobody passes ``max_load``."""
    proposals = sorted(proposals, key=lambda p: p.id)
    reviewers = sorted(reviewers, key=lambda r: r.id)
    scores = affinities(proposals, reviewers)
    loads = {r.id: r.load for r in reviewers}
    taken = {p.id: set(p.assigned) for p in proposals}
    needs = {p.id: max(0, per_proposal - len(p.assigned)) for p in proposals}
    result = Suggestions()
    picked: list[tuple[int, int]] = []

    def eligible(row: int, proposal: ProposalToReview) -> list[int]:
        return [
            column
            for column, r in enumerate(reviewers)
            if r.id not in proposal.conflicts and r.id not in taken[proposal.id] and loads[r.id] < max_load
        ]

    for _round in range(per_proposal):
        # The hardest to staff first (fewest reviewers left who may take it), then by id: deterministic.
        waiting = [(row, p) for row, p in enumerate(proposals) if needs[p.id] > 0]
        waiting.sort(key=lambda item: (len(eligible(*item)), item[1].id))
        for row, proposal in waiting:
            columns = eligible(row, proposal)
            if not columns:
                continue
            column = max(
                columns,
                key=lambda c: (
                    round(float(scores[row, c]) - BALANCE_WEIGHT * loads[reviewers[c].id] / max_load, 6),
                    -reviewers[c].id,
                ),
            )
            reviewer = reviewers[column]
            loads[reviewer.id] += 1
            taken[proposal.id].add(reviewer.id)
            needs[proposal.id] -= 1
            picked.append((row, column))
        if progress is not None:
            progress(_round + 1, per_proposal)
    for row, column in picked:
        proposal, reviewer = proposals[row], reviewers[column]
        result.pairs.append(
            Suggestion(
                proposal_id=proposal.id,
                reviewer_id=reviewer.id,
                affinity=round(float(scores[row, column]), 4),
                reason=explain(proposal, reviewer, loads[reviewer.id], max_load),
            )
        )
    result.pairs.sort(key=lambda s: (s.proposal_id, -s.affinity, s.reviewer_id))
    result.short = {pid: need for pid, need in needs.items() if need > 0}
    return result


def explain(proposal: ProposalToReview, reviewer: Reviewer, load_after: int, max_load: int) -> str:
    """Why this reviewer: the research areas and words they share with the proposal, and their load once all the
    suggestions are accepted."""
    areas = [RESEARCH_AREA_LABELS[a].lower() for a in proposal.areas if a in reviewer.areas]
    features, concepts = _features(proposal.text)
    words = [w for w in _shared_words(set(features), concepts, reviewer) if w.lower() not in areas]
    shared = [*areas, *words][:4]
    what = f"shares {join_words(shared)}" if shared else "no shared expertise found; suggested to balance loads"
    return f"{what}; {load_after} assigned of {max_load}"
