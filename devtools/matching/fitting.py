"""Fitting the engine's score: a pairwise logistic ranker (scikit-learn) on the parts the engine computes.

For every training case (and the same case with its kinds of hardware left blank, as proposers often write
them) the engine computes the parts of each pair's linear score (``Scorer.parts``) with the case's own
investigation left out of the precedents, so a precedent never votes for itself. Every pair of a listing that flew
the case against one that did not, both in the tier the ranking puts first (neither does not fit), is one
training difference. A logistic regression without intercept on those differences gives the coefficients; a
coefficient that comes out negative is set to 0 and the rest refitted (every part must only ever raise a score,
which keeps "stating a need a listing meets never lowers it" true). The offset and scale put the median flown pair
at a score of 75 and the 90th percentile at 95.
"""

import math
from dataclasses import replace

import numpy as np
from sklearn.linear_model import LogisticRegression

from projects.matching import Catalogue, ProposalBatch, Weights
from projects.matching.scorer import Scorer
from projects.matching.weights import COEFFICIENTS

# A typical listing that flew experiments like the proposal scores this, and one better than nine in ten this.
FLOWN_MEDIAN_SCORE = 75.0
FLOWN_HIGH_SCORE = 95.0
REGULARISATION = 1.0


def case_parts(catalogue: Catalogue, cases, pool, weights: Weights):
    """Per case: (parts as a (C, len(COEFFICIENTS)) array, does-not-fit mask (C,)), own investigation left out."""
    by_group: dict[str, list[int]] = {}
    for position, case in enumerate(cases):
        by_group.setdefault(case.group, []).append(position)
    pool_groups = {case.proposal.id: case.group for case in cases}
    found = [None] * len(cases)
    for group, members in sorted(by_group.items()):
        subset = catalogue.with_precedents([p for p in pool if pool_groups.get(p.id) != group])
        batch = ProposalBatch.build([cases[i].proposal for i in members], subset)
        scorer = Scorer(subset, batch, weights)
        block = scorer.block(slice(0, len(members)))
        parts = block.parts
        stacked = np.stack([np.asarray(parts[name], dtype=np.float64) for name in COEFFICIENTS], axis=-1)
        for local, position in enumerate(members):
            found[position] = (stacked[local], block.ineligible[local])
    return found


def training_differences(catalogue: Catalogue, cases, found):
    ids = {c.id: i for i, c in enumerate(catalogue.capabilities)}
    differences = []
    for case, (parts, ineligible) in zip(cases, found, strict=True):
        flown = [ids[t] for t in case.truth if t in ids and not ineligible[ids[t]]]
        others = np.array(
            [i for i in range(len(ids)) if catalogue.capabilities[i].id not in case.truth and not ineligible[i]]
        )
        if not flown or not others.size:
            continue
        differences.extend(parts[listing] - parts[others] for listing in flown)
    return np.vstack(differences) if differences else np.zeros((0, len(COEFFICIENTS)))


def fit_coefficients(differences: np.ndarray) -> dict[str, float]:
    """Non-negative coefficients of a logistic ranker on pair differences (active set: drop negatives, refit)."""
    active = list(range(len(COEFFICIENTS)))
    coefficients = np.zeros(len(COEFFICIENTS))
    if not len(differences):
        raise ValueError("no training pairs: the cases name no listing of the catalogue")
    x = np.vstack([differences, -differences])
    y = np.r_[np.ones(len(differences)), np.zeros(len(differences))]
    while active:
        model = LogisticRegression(fit_intercept=False, C=REGULARISATION, max_iter=5000)
        model.fit(x[:, active], y)
        fitted = model.coef_.ravel()
        if (fitted >= 0).all():
            coefficients[active] = fitted
            break
        active = [index for index, value in zip(active, fitted, strict=True) if value >= 0]
    return {name: float(value) for name, value in zip(COEFFICIENTS, coefficients, strict=True)}


def fit_weights(catalogue: Catalogue, cases, pool, base: Weights) -> Weights:
    """Weights with coefficients and offset fitted on ``cases`` (as written and with needs left blank)."""
    training = list(cases) + [case.without_needs() for case in cases]
    found = case_parts(catalogue, training, pool, base)
    coefficients = fit_coefficients(training_differences(catalogue, training, found))
    weights = replace(base, **coefficients)
    ids = {c.id: i for i, c in enumerate(catalogue.capabilities)}
    vector = np.array([coefficients[name] for name in COEFFICIENTS])
    flown_z = [
        float(parts[ids[t]] @ vector)
        for case, (parts, ineligible) in zip(training, found, strict=True)
        for t in case.truth
        if t in ids and not ineligible[ids[t]]
    ]
    median, high = np.percentile(flown_z, [50, 90])
    scale = float(high - median) / (_logit(FLOWN_HIGH_SCORE) - _logit(FLOWN_MEDIAN_SCORE))
    return replace(weights, offset=float(median) - scale * _logit(FLOWN_MEDIAN_SCORE), scale=scale)


def _logit(score: float) -> float:
    return math.log(score / (100.0 - score))
