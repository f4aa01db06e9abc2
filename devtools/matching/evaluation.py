"""How well matching finds the hardware that really flew, for the engine and two baselines, measured honestly.

For each case (a proposal whose flight is known) a ranker orders every listing; the case's facility rank is that
of the first listing that flew it, its provider rank that of the first of their providers among the distinct
providers in ranked order. Reported: provider top-1 and top-3 and MRR, facility top-1, top-3 and top-5 and MRR.

Cases: every flight precedent written as a proposal (its science and needs), and the flown projects (written as
their teams could have proposed them before flight, often incompletely), each in the investigation group of the
precedents of its own investigation (a precedent sharing a listing with it and a text cosine of at least
``SAME_INVESTIGATION_COSINE``).

Splits (``report``):
- grouped k-fold cross-validation over all cases: the engine's weights are fitted on the other folds and only their
  precedents vote (a precedent never votes for itself or for its own investigation); the spread across folds, and
  the figures of each kind of case;
- the same with every kind of hardware left blank (the engine must rely on the text and the precedents);
- a time split: fitted on flights up to 2019, tested on later ones, with only the earlier precedents voting;
- the engine with no precedents at all, on every case (weights fitted on all of them).

Baselines, computed from the same cases: ``keyword`` (TF-IDF of the listing's name and description against the
proposal's text, English stop words) and ``hybrid`` (a plain weighted sum: 0.35 x the share of stated kinds of
hardware the listing lists, 0.2 x the share of research areas it serves, 0.45 x the keyword similarity, minus
0.25 for each of four failed constraints: temperature, duration, sample return, crew time; a retired listing
last).
"""

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GroupKFold

from devtools.matching.corpus import Case, joined_cases, precedents_of
from devtools.matching.fitting import fit_weights
from projects.matching import Catalogue, ProposalBatch, Weights, rank
from projects.matching.vocabulary import CREW_RANK

FOLDS = 5
TIME_SPLIT_YEAR = 2019
SAME_INVESTIGATION_COSINE = 0.3


@dataclass(frozen=True)
class Metrics:
    cases: int
    provider_top1: float
    provider_top3: float
    provider_mrr: float
    facility_top1: float
    facility_top3: float
    facility_top5: float
    facility_mrr: float

    NAMES = (
        "provider_top1",
        "provider_top3",
        "provider_mrr",
        "facility_top1",
        "facility_top3",
        "facility_top5",
        "facility_mrr",
    )

    def as_dict(self) -> dict:
        return {"cases": self.cases, **{name: round(getattr(self, name), 4) for name in self.NAMES}}


def positions(order: Sequence[str], truth: Sequence[str], provider_of: dict[str, str]) -> tuple[int, int]:
    """(facility rank, provider rank) of a case, 1-based; past the end when nothing that flew it is ranked."""
    facility = next((i + 1 for i, listing in enumerate(order) if listing in truth), len(order) + 1)
    providers: list[str] = []
    for listing in order:
        if provider_of[listing] not in providers:
            providers.append(provider_of[listing])
    flown_by = {provider_of[listing] for listing in truth if listing in provider_of}
    provider = next((i + 1 for i, name in enumerate(providers) if name in flown_by), len(providers) + 1)
    return facility, provider


def metrics(orders: Sequence[Sequence[str]], cases: Sequence[Case], provider_of: dict[str, str]) -> Metrics:
    found = [positions(order, case.truth, provider_of) for order, case in zip(orders, cases, strict=True)]
    if not found:
        return Metrics(0, *([0.0] * len(Metrics.NAMES)))
    facility = np.array([f for f, _ in found], dtype=float)
    provider = np.array([p for _, p in found], dtype=float)
    return Metrics(
        cases=len(found),
        provider_top1=float((provider <= 1).mean()),
        provider_top3=float((provider <= 3).mean()),
        provider_mrr=float((1 / provider).mean()),
        facility_top1=float((facility <= 1).mean()),
        facility_top3=float((facility <= 3).mean()),
        facility_top5=float((facility <= 5).mean()),
        facility_mrr=float((1 / facility).mean()),
    )


# Rankers: (cases) -> listing ids in ranked order, one list per case.
Ranker = Callable[[Sequence[Case]], list[list[str]]]


def engine_ranker(catalogue: Catalogue, pool, weights: Weights, left_out: Callable[[Case], set[str]]) -> Ranker:
    """The engine with ``pool`` as its precedents, minus those ``left_out`` returns for each case."""

    def ranked(cases):
        orders: list[list[str]] = [[] for _ in cases]
        by_exclusion: dict[frozenset, list[int]] = {}
        for position, case in enumerate(cases):
            by_exclusion.setdefault(frozenset(left_out(case)), []).append(position)
        for excluded, members in sorted(by_exclusion.items(), key=lambda item: sorted(item[0])):
            subset = catalogue.with_precedents([p for p in pool if p.id not in excluded])
            results = rank(
                subset, [cases[i].proposal for i in members], weights=weights, top=len(subset), near_misses=0
            )
            for position, result in zip(members, results, strict=True):
                orders[position] = [match.capability_id for match in result.matches]
        return orders

    return ranked


class Baselines:
    """The keyword and plain hybrid rankers over one catalogue."""

    def __init__(self, catalogue: Catalogue):
        self.capabilities = catalogue.capabilities
        texts = [f"{c.name} {c.description or ''}" for c in self.capabilities]
        self.vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit(texts)
        self.listings = self.vectorizer.transform(texts)

    def keyword_scores(self, proposal) -> np.ndarray:
        return (self.listings @ self.vectorizer.transform([proposal.text]).T).toarray().ravel()

    def hybrid_scores(self, proposal) -> np.ndarray:
        keyword = self.keyword_scores(proposal)
        scores = np.zeros(len(self.capabilities))
        for i, c in enumerate(self.capabilities):
            kinds = len(set(proposal.needs) & set(c.categories)) / len(proposal.needs) if proposal.needs else 0.0
            areas = (
                len(set(proposal.research_areas) & set(c.research_areas)) / len(proposal.research_areas)
                if proposal.research_areas
                else 0.0
            )
            failed = sum(_plain_failures(proposal, c))
            scores[i] = 0.35 * kinds + 0.2 * areas + 0.45 * keyword[i] - 0.25 * failed - (c.status == "retired")
        return scores

    def _order(self, scores) -> list[str]:
        order = np.lexsort((np.arange(len(scores)), -scores))
        return [self.capabilities[i].id for i in order]

    def keyword(self, cases) -> list[list[str]]:
        return [self._order(self.keyword_scores(case.proposal)) for case in cases]

    def hybrid(self, cases) -> list[list[str]]:
        return [self._order(self.hybrid_scores(case.proposal)) for case in cases]


def _plain_failures(p, c):
    """The hybrid's four constraints, each failing only on two stated values."""
    if p.temperature_c and c.temperature_c:
        yield p.temperature_c[0] < c.temperature_c[0] or p.temperature_c[1] > c.temperature_c[1]
    if p.duration_days and c.max_duration_days:
        yield p.duration_days > c.max_duration_days
    if p.sample_return and c.sample_return is False:
        yield True
    if p.crew_time and c.crew_time:
        yield CREW_RANK[c.crew_time] > CREW_RANK[p.crew_time]


def group_left_out(pool_by_group: dict[str, set[str]]) -> Callable[[Case], set[str]]:
    """Leave out the precedents of the case's own investigation."""
    return lambda case: pool_by_group.get(case.group, set())


def cross_validate(catalogue, cases, precedents, base: Weights, folds: int = FOLDS, *, blank_needs=False):
    """Grouped k-fold: per fold, (test cases, engine orders, fitted weights)."""
    groups = [case.group for case in cases]
    by_id = {p.id: p for p in precedents}
    results = []
    for train, test in GroupKFold(n_splits=folds).split(cases, groups=groups):
        train_cases = [cases[i] for i in train]
        pool = [by_id[c.proposal.id] for c in train_cases if c.proposal.id in by_id]
        weights = fit_weights(catalogue, train_cases, pool, base)
        test_cases = [cases[i].without_needs() if blank_needs else cases[i] for i in test]
        orders = engine_ranker(catalogue, pool, weights, lambda case: set())(test_cases)
        results.append((test_cases, orders, weights))
    return results


def spread(values: Sequence[float]) -> dict:
    return {
        "mean": round(statistics.fmean(values), 4),
        "sd": round(statistics.pstdev(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def same_investigation(catalogue: Catalogue, precedents, cases) -> Callable[[Case], set[str]]:
    """For cases that are not precedents: the precedents sharing a listing with the case and a text cosine of at
    least ``SAME_INVESTIGATION_COSINE`` (the same experiment, or its earlier flight, written by another hand)."""
    index = catalogue.with_precedents(precedents).precedents
    batch = ProposalBatch.build([case.proposal for case in cases], catalogue.with_precedents(precedents))
    cosine = index.text.similarity(batch.precedent_text)
    left_out = {}
    for row, case in enumerate(cases):
        left_out[case.proposal.id] = {
            p.id
            for column, p in enumerate(index.precedents)
            if cosine[row, column] >= SAME_INVESTIGATION_COSINE and set(p.facilities) & set(case.truth)
        }
    return lambda case: left_out.get(case.proposal.id, set())


@dataclass
class Row:
    split: str
    ranker: str
    metrics: Metrics
    folds: dict | None = None  # metric name -> spread across folds


def report(catalogue: Catalogue, precedent_items, flown_cases, base: Weights, folds: int = FOLDS):
    """Every split for the engine and both baselines, as rows (see the module docstring); and the weights fitted on
    every case."""
    precedents = precedents_of(precedent_items)
    provider_of = {c.id: c.provider for c in catalogue.capabilities}
    baselines = Baselines(catalogue)
    left_out = same_investigation(catalogue, precedents, flown_cases)
    cases = joined_cases(precedent_items, flown_cases, left_out)
    flown_ids = {case.proposal.id for case in flown_cases}
    rows: list[Row] = []

    def add(split, ranker, orders, subset, folds_spread=None):
        rows.append(Row(split, ranker, metrics(orders, subset, provider_of), folds_spread))

    def add_baselines(split, subset):
        add(split, "plain hybrid", baselines.hybrid(subset), subset)
        add(split, "keyword (TF-IDF)", baselines.keyword(subset), subset)

    for blank in (False, True):
        results = cross_validate(catalogue, cases, precedents, base, folds, blank_needs=blank)
        tested = [
            (case, order) for fold_cases, orders, _ in results for case, order in zip(fold_cases, orders, strict=True)
        ]
        per_fold = [metrics(o, c, provider_of) for c, o, _ in results]
        fold_spread = {name: spread([getattr(m, name) for m in per_fold]) for name in Metrics.NAMES}
        subsets = [("", lambda case: True)]
        if not blank:
            subsets += [
                (", the precedents", lambda case: case.proposal.id not in flown_ids),
                (", the flown projects", lambda case: case.proposal.id in flown_ids),
            ]
        for suffix, chosen in subsets:
            split = f"{folds}-fold grouped CV" + (", needs left blank" if blank else "") + suffix
            subset = [(case, order) for case, order in tested if chosen(case)]
            subset_cases = [case for case, _ in subset]
            add(split, "engine", [order for _, order in subset], subset_cases, fold_spread if not suffix else None)
            add_baselines(split, subset_cases)

    early = [case for case in cases if case.year is not None and case.year <= TIME_SPLIT_YEAR]
    late = [case for case in cases if case.year is not None and case.year > TIME_SPLIT_YEAR]
    early_ids = {case.proposal.id for case in early}
    pool = [p for p in precedents if p.id in early_ids]
    weights = fit_weights(catalogue, early, pool, base)
    split = f"time split (fitted up to {TIME_SPLIT_YEAR}, tested after)"
    add(split, "engine", engine_ranker(catalogue, pool, weights, lambda c: set())(late), late)
    add_baselines(split, late)

    weights = fit_weights(catalogue, cases, precedents, base)
    split = "no precedents at all"
    add(split, "engine without precedents", engine_ranker(catalogue, [], weights, lambda c: set())(cases), cases)
    add_baselines(split, cases)
    return rows, weights


HEADINGS = (
    "provider top-1",
    "provider top-3",
    "provider MRR",
    "facility top-1",
    "facility top-3",
    "facility top-5",
    "facility MRR",
)


def format_rows(rows: Sequence[Row]) -> str:
    header = "| split | ranker | cases | " + " | ".join(HEADINGS) + " |"
    lines = [header, "|" + "---|" * 10]
    for row in rows:
        m = row.metrics
        values = [f"{getattr(m, name):.2f}" for name in Metrics.NAMES]
        if row.folds:
            values = [
                f"{v} (folds {row.folds[name]['min']:.2f}-{row.folds[name]['max']:.2f})"
                if name in ("provider_top3", "facility_top3")
                else v
                for v, name in zip(values, Metrics.NAMES, strict=True)
            ]
        lines.append(f"| {row.split} | {row.ranker} | {m.cases} | " + " | ".join(values) + " |")
    return "\n".join(lines)
