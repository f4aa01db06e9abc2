"""Criteria sentences, certainty and precedent citations for many pairs at once.

Only kept pairs are explained (the top N per proposal and the near misses). Outcomes come from the vectorized
``codes`` of each criterion over the gathered pairs; a sentence depends only on the outcome and a few fields on each
side (``p_fields``, ``c_fields``), so each distinct (criterion, outcome, proposal fields, listing fields) is
written once by the criterion's own ``detail`` and shared, as an immutable ``Check``, by every pair it describes.
"""

import gc
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple, TypedDict

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from projects.matching.arrays import BoolArray, FloatArray, IntArray
from projects.matching.criteria import CRITERIA, FAIL, NOT_CHECKED, OUTCOMES, PARTIAL, PASS, UNKNOWN, Fit
from projects.matching.vocabulary import join_words
from projects.matching.weights import Weights

if TYPE_CHECKING:  # the catalogue imports this module (cycle_collector_paused)
    from projects.matching.catalogue import Catalogue, ProposalBatch


class CheckDict(TypedDict):
    name: str
    outcome: str
    detail: str


class CertaintyDict(TypedDict):
    stated: int
    met: int
    to_confirm: int
    not_met: int
    elsewhere: int


class CitationDict(TypedDict):
    label: str
    year: int


# Precedents named in a sentence; the rest are counted.
CITED_IN_SENTENCE = 3


class Check(NamedTuple):
    """One criterion of one pair: name, outcome (pass, partial, unknown, fail) and the sentence."""

    name: str
    outcome: str
    detail: str

    def as_dict(self) -> CheckDict:
        return {"name": self.name, "outcome": self.outcome, "detail": self.detail}


class Certainty(NamedTuple):
    """How many of the needs a proposal states a listing's stated facts confirm.

    Needs are the kinds of hardware the proposal states (each one) and the facts it states (temperature, duration,
    sample return...). A need is met when a stated fact meets it, to confirm when the provider has not stated it or
    it is met only in part, and not met when a stated fact contradicts it. A kind of hardware this listing does not
    offer, when it offers another stated kind, is for another listing to cover (``elsewhere``), not a contradiction.
    """

    stated: int = 0
    met: int = 0
    to_confirm: int = 0
    not_met: int = 0
    elsewhere: int = 0

    def as_dict(self) -> CertaintyDict:
        return {
            "stated": self.stated,
            "met": self.met,
            "to_confirm": self.to_confirm,
            "not_met": self.not_met,
            "elsewhere": self.elsewhere,
        }

    def summary(self, fit: Fit, precedents: int) -> str:
        """One line a scientist reads first: "Meets 5 of 6 needs · 1 to confirm with the provider · ..."."""
        if self.stated:
            parts = [f"Meets {self.met} of {self.stated} needs"]
        else:
            parts = ["No flight requirements stated: everything is to confirm"]
        if self.to_confirm:
            parts.append(f"{self.to_confirm} to confirm with the provider")
        if self.elsewhere:
            kinds = "kind" if self.elsewhere == 1 else "kinds"
            parts.append(f"{self.elsewhere} {kinds} of hardware from another listing")
        if self.not_met:
            parts.append(f"{self.not_met} not met")
        elif fit == Fit.DOES_NOT_FIT:
            parts.append("no longer available")
        if precedents:
            parts.append(f"{precedents} similar experiment{'s' if precedents > 1 else ''} flew here")
        return " · ".join(parts)


class Citation(NamedTuple):
    """A precedent named in an explanation: its label (never a portal precedent's text) and year."""

    label: str
    year: int

    def as_dict(self) -> CitationDict:
        return {"label": self.label, "year": self.year}


# A check as the engine makes it, or as stored (a match's criteria are saved as JSON).
CheckLike = Check | CheckDict
# Per proposal row: its nearest precedents (indices, -1 padding) and their similarity, when they were computed.
Neighbours = tuple[IntArray | None, FloatArray | None]
# One explained pair: its checks, its certainty and the precedents cited.
Explained = tuple[tuple[Check, ...], Certainty, tuple[Citation, ...]]


def precedent_sentence(citations: Sequence[Citation]) -> str:
    named = [f"{c.label} ({c.year})" for c in citations[:CITED_IN_SENTENCE]]
    more = len(citations) - len(named)
    if more:
        named.append(f"{more} more")
    count = len(citations)
    return f"{count} similar experiment{'s' if count > 1 else ''} flew here: {join_words(named)}"


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects (tuples of shared checks).

    Otherwise every few hundred thousand new tuples trigger a collection that walks all of them again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def explain_pairs(
    catalogue: "Catalogue",
    batch: "ProposalBatch",
    weights: Weights,
    proposal_rows: ArrayLike,
    capability_columns: ArrayLike,
    neighbours: Neighbours | None = None,
) -> list[Explained]:
    """Per pair (proposal_rows[i], capability_columns[i]): (checks in the order of ``CRITERIA`` then the
    precedents check, ``Certainty``, citations)."""
    proposal_rows = np.asarray(proposal_rows, dtype=np.int64)
    capability_columns = np.asarray(capability_columns, dtype=np.int64)
    if proposal_rows.size == 0:
        return []
    p = batch.arrays.take(proposal_rows)
    c = catalogue.arrays.take(capability_columns)
    stated_kinds = p.stated
    met = (stated_kinds & c.offered_full).sum(axis=1)
    to_confirm = (stated_kinds & ~c.offered_full & c.hostable).sum(axis=1)
    stated = stated_kinds.sum(axis=1)
    missing = stated - met - to_confirm
    offers_some = (met + to_confirm) > 0
    not_met = np.where(offers_some, 0, missing)
    elsewhere = np.where(offers_some, missing, 0)
    columns: list[npt.NDArray[np.object_]] = []
    checked: list[BoolArray] = []
    for criterion in CRITERIA:
        codes = criterion.codes(p, c, weights)
        if criterion.fact:
            applies = codes != NOT_CHECKED
            stated = stated + applies
            met = met + (codes == PASS)
            to_confirm = to_confirm + ((codes == UNKNOWN) | (codes == PARTIAL))
            not_met = not_met + (codes == FAIL)
        combination = criterion.pair_key(p, c, codes)
        if combination is None:
            p_keys, _ = batch.key_ids[criterion.name]
            c_keys, c_first = catalogue.key_ids[criterion.name]
            combination = p_keys[proposal_rows] * len(c_first) + c_keys[capability_columns]
        combination = combination | (codes.astype(np.int64) + 1) << 56
        distinct, first, inverse = np.unique(combination, return_index=True, return_inverse=True)
        checks = np.empty(len(distinct), dtype=object)
        for index, position in enumerate(first.tolist()):
            code = int(codes[position])
            if code != NOT_CHECKED:
                proposal = batch.proposals[proposal_rows[position]]
                capability = catalogue.capabilities[capability_columns[position]]
                checks[index] = Check(criterion.name, OUTCOMES[code], criterion.detail(proposal, capability, code))
        columns.append(checks[inverse])
        checked.append(codes != NOT_CHECKED)
    # Pairs sharing the same set of checked criteria (it depends on the proposal alone) are cut out together.
    packed = np.packbits(np.stack(checked, axis=1), axis=1, bitorder="little")
    patterns = packed.astype(np.int64) @ (256 ** np.arange(packed.shape[1], dtype=np.int64))
    distinct, inverse, counts = np.unique(patterns, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    ends = np.cumsum(counts).tolist()
    explained: list[tuple[Check, ...]] = [()] * len(proposal_rows)
    start = 0
    for pattern, end in zip(distinct.tolist(), ends, strict=True):
        members = order[start:end]
        start = end
        wanted = [columns[i][members].tolist() for i in range(len(CRITERIA)) if pattern >> i & 1]
        for member, row in zip(members.tolist(), zip(*wanted, strict=True), strict=True):
            explained[member] = row
    citations = cite_precedents(catalogue, weights, proposal_rows, capability_columns, neighbours)
    certainties: dict[tuple[int, int, int, int, int], Certainty] = {}
    result: list[Explained] = []
    per_pair = zip(
        stated.tolist(), met.tolist(), to_confirm.tolist(), not_met.tolist(), elsewhere.tolist(), strict=True
    )
    for i, values in enumerate(per_pair):
        certainty = certainties.get(values)
        if certainty is None:
            certainty = certainties[values] = Certainty(*values)
        cited = citations.get(i, ())
        pair_checks = explained[i]
        if cited:
            pair_checks = (*pair_checks, Check("precedents", "pass", precedent_sentence(cited)))
        result.append((pair_checks, certainty, cited))
    return result


def cite_precedents(
    catalogue: "Catalogue",
    weights: Weights,
    proposal_rows: IntArray,
    capability_columns: IntArray,
    neighbours: Neighbours | None,
) -> dict[int, tuple[Citation, ...]]:
    """Per pair position, the proposal's neighbours that flew on that listing (cited from a minimum similarity)."""
    precedents = catalogue.precedents
    if neighbours is None:
        return {}
    all_indices, all_similarity = neighbours  # set together by a selection
    if all_indices is None or all_similarity is None or not len(precedents) or all_indices.shape[1] == 0:
        return {}
    indices = all_indices[proposal_rows]  # (n, k)
    similarity = all_similarity[proposal_rows]
    valid = indices >= 0
    flew = precedents.flew[np.where(valid, indices, 0), capability_columns[:, None]] > 0
    cited = valid & flew & (similarity >= weights.precedent_cited_from)
    labels = [Citation(p.label, p.year) for p in precedents.precedents]
    found: dict[int, tuple[Citation, ...]] = {}
    for position in np.flatnonzero(cited.any(axis=1)).tolist():
        found[position] = tuple(labels[j] for j in indices[position][cited[position]].tolist())
    return found


# Checks about the proposal's needs; the others (research areas, flight heritage, precedents) describe the listing.
NEED_CHECKS = frozenset(
    {
        "hardware",
        "temperature_c",
        "co2",
        "humidity",
        "units_needed",
        "duration_days",
        "power_w",
        "crew_time",
        "imaging",
        "variable_gravity",
        "sample_return",
        "return_temperature_c",
        "biosafety_level",
        "launch_window",
        "status",
    }
)
GROUPS = (
    ("fits", "Fits"),
    ("to_confirm", "To confirm with the provider"),
    ("part", "Covers part of the hardware you need"),
    ("does_not_fit", "Does not fit"),
    ("about", "About this facility"),
)


def group_checks(checks: Iterable[CheckLike]) -> list[tuple[str, str, list[CheckLike]]]:
    """The checks (``Check`` or dicts with name, outcome, detail) in the groups a reader scans: what fits, what to
    confirm with the provider, the kinds of hardware it covers only in part (another listing, or the proposer's own
    payload on a host, covers the rest), what does not fit, then what describes the listing. Empty groups are left
    out."""
    grouped: dict[str, list[CheckLike]] = {key: [] for key, _ in GROUPS}
    for check in checks:
        name, outcome = (check["name"], check["outcome"]) if isinstance(check, dict) else (check.name, check.outcome)
        if name not in NEED_CHECKS or (name == "status" and outcome == "pass"):
            grouped["about"].append(check)
        elif outcome == "pass":
            grouped["fits"].append(check)
        elif name == "hardware" and outcome == "partial":
            grouped["part"].append(check)
        elif outcome == "fail":
            grouped["does_not_fit"].append(check)
        else:
            grouped["to_confirm"].append(check)
    return [(key, heading, grouped[key]) for key, heading in GROUPS if grouped[key]]


# The sentences speak to the researcher; a provider reading an introduction is addressed instead, and the researcher
# becomes "the researcher". In order: the provider's own facts first, then the researcher's needs.
_TO_PROVIDER: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"\bprovider has not (stated|listed|published)\b"), r"you have not \1"),
    (re.compile(r"\bprovider states\b"), "you state"),
    (re.compile(r"\bprovider has no open slots\b"), "you have no open slots"),
    (re.compile(r"\bconfirm the crew time with the provider\b"), "confirm the crew time with the researcher"),
    (
        re.compile(r"\byou listed no hardware; your proposal suggests\b"),
        "the researcher listed no hardware; the proposal suggests",
    ),
    (re.compile(r"\ball you need\b"), "all the researcher needs"),
    (re.compile(r"\byou (need|accept|work)\b"), lambda m: f"the researcher {m.group(1)}s"),
    (re.compile(r"\bif you can\b"), "if the researcher can"),
    (re.compile(r"\bif you fly\b"), "if the researcher flies"),
    (re.compile(r"\byour own payload\b"), "the researcher's own payload"),
    (re.compile(r"\byour research areas\b"), "the researcher's research areas"),
    (re.compile(r"\byour (experiment|samples|payload|launch window)\b"), r"the \1"),
]


def for_provider(sentence: str) -> str:
    """A check's sentence as a provider reads it: "provider has not stated a maximum duration; you need 42 days"
    becomes "you have not stated a maximum duration; the researcher needs 42 days"."""
    for pattern, replacement in _TO_PROVIDER:
        sentence = pattern.sub(replacement, sentence)
    return sentence
