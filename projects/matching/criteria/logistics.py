"""Criteria on what happens around the experiment: the temperature samples come back at, and the launch window."""

import numpy as np

from projects.matching.arrays import Arrays, BoolArray, FloatArray
from projects.matching.criteria.base import (
    FAIL,
    FROZEN_C,
    PASS,
    STOWAGE_TOLERANCE_C,
    UNKNOWN,
    Criterion,
    num,
    temperature_range,
    temperatures,
    windows_text,
)
from projects.matching.inputs import CapabilityFacts, ProposalNeeds, Window
from projects.matching.weights import Weights


def keeps_temperature(c: CapabilityFacts, t: float) -> tuple[bool, bool]:
    """(kept by the temperature range, kept by cold stowage) for a return temperature ``t``."""
    in_range = c.temperature_c is not None and c.temperature_c[0] <= t <= c.temperature_c[1]
    stowed = c.cold_stowage_c is not None and any(
        abs(t - s) <= STOWAGE_TOLERANCE_C or (t <= FROZEN_C and s <= t) for s in c.cold_stowage_c
    )
    return in_range, stowed


class ReturnTemperature(Criterion):
    name = "return_temperature_c"
    p_fields, c_fields = ("return_temperature_c",), ("temperature_c", "cold_stowage_c")
    outer_fail = outer_unknown = False
    margin = True
    distinct_on = ("return_t",)

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        if p.return_temperature_c is None or p.sample_return is False:
            return None
        in_range, stowed = keeps_temperature(c, p.return_temperature_c)
        if in_range or stowed:
            return PASS
        if c.temperature_c is not None and c.cold_stowage_c is not None:
            return FAIL
        return UNKNOWN

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        t = p.return_temperature_c
        assert t is not None  # outcome() checked it: only a stated need is explained
        need = f"needs return at {num(t)} C"
        if outcome == PASS:
            in_range, _ = keeps_temperature(c, t)
            if in_range:
                assert c.temperature_c is not None
                return f"{need}; holds {temperature_range(*c.temperature_c)}"
            assert c.cold_stowage_c is not None
            return f"{need}; keeps cold stowage at {temperatures(c.cold_stowage_c)}"
        kept = []
        if c.temperature_c is not None:
            kept.append(f"holds {temperature_range(*c.temperature_c)}")
        if c.cold_stowage_c is not None:
            kept.append(
                f"keeps cold stowage at {temperatures(c.cold_stowage_c)}" if c.cold_stowage_c else "has no cold stowage"
            )
        if outcome == FAIL:
            return f"{need}; {' and '.join(kept)}"
        if not kept:
            return f"provider has not stated the temperatures it can keep; you need return at {num(t)} C"
        missing = "cold stowage temperatures" if c.cold_stowage_c is None else "a temperature range"
        return f"{need}; {kept[0]}; provider has not stated {missing}"

    def applicable(self, p: Arrays) -> BoolArray:
        return ~np.isnan(p.return_t)

    def _keeps(self, p: Arrays, c: Arrays) -> BoolArray:
        t = p.return_t
        kept = (t >= c.temp_min) & (t <= c.temp_max)
        frozen = t <= FROZEN_C
        for slot in range(c.stow.shape[-1]):
            s = c.stow[..., slot]
            kept = kept | (np.abs(t - s) <= STOWAGE_TOLERANCE_C) | (frozen & (s <= t))
        return kept

    def fail_pair(self, p: Arrays, c: Arrays) -> BoolArray:
        return ~self._keeps(p, c) & ~np.isnan(p.return_t) & (~np.isnan(c.temp_min) & c.stow_stated)

    def unknown_pair(self, p: Arrays, c: Arrays) -> BoolArray:
        return ~self._keeps(p, c) & ~np.isnan(p.return_t) & (np.isnan(c.temp_min) | ~c.stow_stated)

    def within_margin(self, p: Arrays, c: Arrays, weights: Weights) -> BoolArray:
        return np.abs(self._nearest(p, c) - p.return_t) <= weights.near_miss_temperature_c

    def _nearest(self, p: Arrays, c: Arrays) -> FloatArray:
        t = p.return_t
        best = np.clip(t, c.temp_min, c.temp_max)  # NaN when the range is unstated
        best = np.where(np.isnan(best), np.inf, best)
        for slot in range(c.stow.shape[-1]):
            s = np.where(np.isnan(c.stow[..., slot]), np.inf, c.stow[..., slot])
            best = np.where(np.abs(s - t) < np.abs(best - t), s, best)
        return best

    def change(self, p: ProposalNeeds, c: CapabilityFacts) -> str:
        t = p.return_temperature_c
        assert t is not None  # a near miss: the return temperature is stated
        candidates = list(c.cold_stowage_c or ())
        if c.temperature_c is not None:
            candidates.append(min(max(t, c.temperature_c[0]), c.temperature_c[1]))
        nearest = min(candidates, key=lambda value: (abs(value - t), value))
        return f"fits if your samples can come back at {num(nearest)} C instead of {num(t)} C"


class LaunchWindow(Criterion):
    name = "launch_window"
    p_fields, c_fields = ("launch_window",), ("availability",)
    outer_fail = False
    margin = True
    distinct_on = ("launch_start", "launch_end")

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        if p.launch_window is None:
            return None
        if c.availability is None:
            return UNKNOWN
        earliest, latest = p.launch_window
        overlaps = any(start <= latest and end >= earliest for start, end in c.availability)
        return PASS if overlaps else FAIL

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        assert p.launch_window is not None  # outcome() checked it: only a stated need is explained
        earliest, latest = p.launch_window
        need = f"launch between {earliest.isoformat()} and {latest.isoformat()}"
        if outcome == UNKNOWN:
            return f"provider has not published availability; you need to {need}"
        if not c.availability:  # None was UNKNOWN above
            return f"you need to {need}; provider has no open slots"
        if outcome == FAIL:
            return f"you need to {need}; available only {windows_text(c.availability)}"
        open_windows = [(s, e) for s, e in c.availability if s <= latest and e >= earliest]
        return f"you need to {need}; available {windows_text(open_windows)}"

    def applicable(self, p: Arrays) -> BoolArray:
        return ~np.isnan(p.launch_start)

    def unknown_c(self, c: Arrays) -> BoolArray:
        return ~c.avail_stated

    def fail_pair(self, p: Arrays, c: Arrays) -> BoolArray:
        overlap = np.zeros(np.broadcast_shapes(p.launch_start.shape, c.avail_stated.shape), dtype=bool)
        for slot in range(c.avail_start.shape[-1]):
            overlap |= (c.avail_start[..., slot] <= p.launch_end) & (c.avail_end[..., slot] >= p.launch_start)
        return c.avail_stated & ~np.isnan(p.launch_start) & ~overlap

    def _gap(self, p: Arrays, c: Arrays) -> FloatArray:
        gap = np.full(np.broadcast_shapes(p.launch_start.shape, c.avail_stated.shape), np.inf)
        for slot in range(c.avail_start.shape[-1]):
            start, end = c.avail_start[..., slot], c.avail_end[..., slot]
            slot_gap = np.maximum(start - p.launch_end, p.launch_start - end)
            gap = np.fmin(gap, slot_gap)  # fmin ignores the NaN of unused slots
        return gap

    def within_margin(self, p: Arrays, c: Arrays, weights: Weights) -> BoolArray:
        return self._gap(p, c) <= weights.near_miss_days

    def change(self, p: ProposalNeeds, c: CapabilityFacts) -> str:
        assert p.launch_window is not None and c.availability is not None  # a near miss: both stated
        earliest, latest = p.launch_window

        def gap(window: Window) -> int:
            start, end = window
            return max((start - latest).days, (earliest - end).days)

        start, end = min(c.availability, key=lambda window: (gap(window), window))
        if start > latest:
            return f"fits if your launch window extended to {start.isoformat()} (it now ends {latest.isoformat()})"
        return f"fits if your launch window opened by {end.isoformat()} (it now opens {earliest.isoformat()})"
