"""What the score weighs, and the algorithm version stored with every result.

The score of a pair is ``100 * sigmoid((z - offset) / scale)`` where ``z`` adds the parts, each a number the engine
computes for the pair, times its coefficient:

- ``hardware``: the kinds of hardware the proposal states that the listing offers, each weighed by its rarity in the
  catalogue, log((C + 1) / (1 + listings offering it)): a crewed mission or a bioprinter says more than sample
  return (a kind a host platform could carry as the proposer's own payload counts ``host_credit`` of it);
- ``text``: cosine of the proposal's text with the listing's own text (TF-IDF with the domain lexicon);
- ``profile``: cosine of the proposal's text with the listing's profile (its text and the experiments it flew);
- ``precedents``: the listing's share of the votes of the proposal's most similar flight precedents;
- ``research_areas``: the share of the proposal's research areas the listing serves;
- ``confirmed``: how many of the facts the proposal states the listing confirms;
- ``status``: operational 1, status not stated 0.5, planned 0.3;
- ``heritage``: 1 when the listing states a first flight, 0.5 when it is operational without one.

The coefficients and ``offset`` are fitted, never set by hand: ``manage.py fit_matching_weights`` (devtools) fits a
pairwise logistic ranker (scikit-learn) on the flight precedents, with grouped cross-validation, and writes
``weights.json`` beside this file with the folds' spread. ``offset`` and ``scale`` put the median listing that
flew a precedent at 75 and the 90th percentile at 95, so scores spread over the range instead of crowding at 100.
Every coefficient must be at least 0 (a part that can only raise a score): stating a need a listing meets then
never lowers its score or its place. When the fit leaves a coefficient at 0 (as it does for research areas and
confirmed facts on the precedents), that part does not count: the facts a listing confirms then decide the fit
(fits, to confirm, does not fit) and the certainty shown beside the score ("Meets 3 of 5 needs"), which keeps "how
well it fits" apart from "how much was stated".
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Final

import numpy as np

from projects.matching import lexicon

ENGINE_VERSION: Final = "2.0"
FITTED: Final = Path(__file__).with_name("weights.json")
COEFFICIENTS: Final = ("hardware", "text", "profile", "precedents", "research_areas", "confirmed", "status", "heritage")


@dataclass(frozen=True)
class Weights:
    """Everything tunable. Defaults are the fitted values of ``weights.json``; settings may override them."""

    # Coefficients of the parts of z (see the module docstring), and the offset of the sigmoid.
    hardware: float = 1.0
    text: float = 6.0
    profile: float = 20.0
    precedents: float = 1.5
    research_areas: float = 0.0
    confirmed: float = 0.0
    status: float = 5.0
    heritage: float = 0.2
    offset: float = 10.0
    scale: float = 1.0
    # The precedent neighbourhood: how many similar precedents vote, how similarity is sharpened, and how much
    # shared research areas (Jaccard) and the same sample type add to the text similarity.
    neighbours: int = 10
    neighbour_power: float = 1.0
    area_similarity: float = 0.3
    sample_type_similarity: float = 0.2
    # A precedent is named in an explanation from this similarity on (weaker ones still vote).
    precedent_cited_from: float = 0.3
    # Credit for a kind of hardware a host platform could carry as the customer's own payload.
    host_credit: float = 0.35
    # A pair that does not fit keeps this share of its score (it also ranks after every pair that may fit).
    does_not_fit_factor: float = 0.5
    # Status and heritage values.
    status_operational: float = 1.0
    status_unknown: float = 0.5
    status_planned: float = 0.3
    heritage_stated: float = 1.0
    heritage_operational: float = 0.5
    # Near misses: how far a single failed fact may be from passing.
    near_miss_relative: float = 0.5
    near_miss_temperature_c: float = 3.0
    near_miss_days: float = 90.0
    # Provider view: score points a combination loses per listing beyond the first (one more integration).
    provider_extra_listing: float = 2.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, float) and (not np.isfinite(value) or (value < 0 and name != "offset")):
                raise ValueError(f"weight {name} must be a finite number >= 0, not {value!r}")
        if self.scale <= 0:
            raise ValueError("weight scale must be above 0")
        if self.neighbours < 1:
            raise ValueError("weight neighbours must be at least 1")
        if not 0 <= self.does_not_fit_factor <= 1:
            raise ValueError("weight does_not_fit_factor must be between 0 and 1")

    def with_values(self, values: Mapping[str, float]) -> "Weights":
        known = {f.name: f.type for f in fields(self)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown weights: {', '.join(unknown)}")
        # Each weight keeps its field's type (int or float); replace() takes them by name, so the dict is untyped.
        changes: dict[str, Any] = {
            name: (int(v) if known[name] in (int, "int") else float(v)) for name, v in values.items()
        }
        return replace(self, **changes)


def fitted_weights(path: Path = FITTED) -> Weights:
    """The weights ``weights.json`` records (its ``weights`` object), over the dataclass defaults."""
    if not path.exists():
        return Weights()
    return Weights().with_values(json.loads(path.read_text())["weights"])


DEFAULT_WEIGHTS = fitted_weights()


def algorithm_version(weights: Weights = DEFAULT_WEIGHTS) -> str:
    """The engine version plus a digest of the weights and the lexicon: stored with every result."""
    payload = json.dumps({"weights": asdict(weights), "lexicon": lexicon.fingerprint()}, sort_keys=True)
    return f"{ENGINE_VERSION}+{hashlib.sha256(payload.encode()).hexdigest()[:10]}"


ALGORITHM = algorithm_version()
