"""Criteria sentences for many pairs at once.

Only kept pairs are explained (the top N per proposal and the near misses). Outcomes come from the vectorized
``codes`` of each criterion over the gathered pairs; a sentence depends only on the outcome and a few fields on each
side (``p_fields``, ``c_fields``), so each distinct (criterion, outcome, proposal fields, listing fields) is
written once by the criterion's own ``detail`` and shared, as an immutable ``Check``, by every pair it describes.
"""

import gc
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from projects.matching.criteria import CRITERIA, NOT_CHECKED, OUTCOMES


class Check(NamedTuple):
    """One criterion of one pair: name, outcome (pass, partial, unknown, fail) and the sentence."""

    name: str
    outcome: str
    detail: str

    def as_dict(self) -> dict:
        return {"name": self.name, "outcome": self.outcome, "detail": self.detail}


@contextmanager
def cycle_collector_paused():
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


def explain_pairs(catalogue, batch, weights, proposal_rows, capability_columns) -> list[tuple[Check, ...]]:
    """The checks of each pair (proposal_rows[i], capability_columns[i]), in the order of ``CRITERIA``."""
    proposal_rows = np.asarray(proposal_rows, dtype=np.int64)
    capability_columns = np.asarray(capability_columns, dtype=np.int64)
    if proposal_rows.size == 0:
        return []
    p = batch.arrays.take(proposal_rows)
    c = catalogue.arrays.take(capability_columns)
    columns, checked = [], []
    for criterion in CRITERIA:
        codes = criterion.codes(p, c, weights)
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
    patterns = np.packbits(np.stack(checked, axis=1), axis=1, bitorder="little")
    patterns = patterns.astype(np.int64) @ (256 ** np.arange(patterns.shape[1], dtype=np.int64))
    distinct, inverse, counts = np.unique(patterns, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    ends = np.cumsum(counts).tolist()
    explained = [()] * len(proposal_rows)
    start = 0
    for pattern, end in zip(distinct.tolist(), ends, strict=True):
        members = order[start:end]
        start = end
        wanted = [columns[i][members].tolist() for i in range(len(CRITERIA)) if pattern >> i & 1]
        for member, row in zip(members.tolist(), zip(*wanted, strict=True), strict=True):
            explained[member] = row
    return explained
