"""Criteria on the listing's stated envelope: numbers, controls, crew time, centrifuge and sample return."""

from typing import Literal

import numpy as np

from projects.matching.arrays import Array, Arrays, BoolArray, FloatArray
from projects.matching.criteria.base import FAIL, PARTIAL, PASS, UNKNOWN, Criterion, num, temperature_range
from projects.matching.inputs import CapabilityFacts, ProposalNeeds
from projects.matching.vocabulary import CREW_RANK
from projects.matching.weights import Weights


class NumberAtMost(Criterion):
    """The proposal's number must not exceed the listing's stated maximum."""

    outer_fail = False
    margin = True
    p_attr = c_attr = ""

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        need, limit = getattr(p, self.p_fields[0]), getattr(c, self.c_fields[0])
        if need is None:
            return None
        if limit is None:
            return UNKNOWN
        return FAIL if need > limit else PASS

    # numpy's stubs type ufuncs and comparisons over columns of unknown dtype as Any: the locals name the result.
    def applicable(self, p: Arrays) -> BoolArray:
        stated: BoolArray = ~np.isnan(getattr(p, self.p_attr))
        return stated

    def unknown_c(self, c: Arrays) -> BoolArray:
        unstated: BoolArray = np.isnan(getattr(c, self.c_attr))
        return unstated

    def fail_pair(self, p: Arrays, c: Arrays) -> BoolArray:
        need: FloatArray = getattr(p, self.p_attr)
        limit: FloatArray = getattr(c, self.c_attr)
        return need > limit

    def within_margin(self, p: Arrays, c: Arrays, weights: Weights) -> BoolArray:
        need: FloatArray = getattr(p, self.p_attr)
        limit: FloatArray = getattr(c, self.c_attr)
        return (limit > 0) & (need <= limit * (1.0 + weights.near_miss_relative))


class Units(NumberAtMost):
    name = "units_needed"
    p_fields, c_fields = ("units_needed",), ("capacity_units",)
    p_attr, c_attr = "units", "capacity"

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        assert p.units_needed is not None  # outcome() checked it: only a stated need is explained
        if outcome == UNKNOWN:
            return f"provider has not stated a capacity; you need {num(p.units_needed)} units"
        assert c.capacity_units is not None
        return f"needs {num(p.units_needed)} units; holds {num(c.capacity_units)}"

    def change(self, p: ProposalNeeds, c: CapabilityFacts) -> str:
        assert p.units_needed is not None and c.capacity_units is not None  # a near miss: both stated
        return f"fits if you can fly {num(c.capacity_units)} units instead of {num(p.units_needed)}"


class Duration(NumberAtMost):
    name = "duration_days"
    p_fields, c_fields = ("duration_days",), ("max_duration_days",)
    p_attr, c_attr = "duration", "max_duration"

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        assert p.duration_days is not None  # outcome() checked it: only a stated need is explained
        if outcome == UNKNOWN:
            return f"provider has not stated a maximum duration; you need {num(p.duration_days)} days"
        assert c.max_duration_days is not None
        return f"needs {num(p.duration_days)} days; runs up to {num(c.max_duration_days)} days"

    def change(self, p: ProposalNeeds, c: CapabilityFacts) -> str:
        assert p.duration_days is not None and c.max_duration_days is not None  # a near miss: both stated
        return f"fits if your experiment can run in {num(c.max_duration_days)} days instead of {num(p.duration_days)}"


class Power(NumberAtMost):
    name = "power_w"
    p_fields, c_fields = ("power_w",), ("power_w",)
    p_attr, c_attr = "power", "power"

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        assert p.power_w is not None  # outcome() checked it: only a stated need is explained
        if outcome == UNKNOWN:
            return f"provider has not stated the power it supplies; you need {num(p.power_w)} W"
        assert c.power_w is not None
        return f"needs {num(p.power_w)} W; supplies up to {num(c.power_w)} W"

    def change(self, p: ProposalNeeds, c: CapabilityFacts) -> str:
        assert p.power_w is not None and c.power_w is not None  # a near miss: both stated
        return f"fits if your payload can run on {num(c.power_w)} W instead of {num(p.power_w)} W"


class Biosafety(NumberAtMost):
    name = "biosafety_level"
    p_fields, c_fields = ("biosafety_level",), ("biosafety_level",)
    p_attr, c_attr = "bsl", "bsl"
    margin = False  # nobody lowers the biosafety level of their organisms to fit a facility

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        if outcome == UNKNOWN:
            return f"provider has not stated a biosafety level; you work at BSL-{p.biosafety_level}"
        return f"you work at BSL-{p.biosafety_level}; it supports up to BSL-{c.biosafety_level}"


class Temperature(Criterion):
    name = "temperature_c"
    p_fields, c_fields = ("temperature_c",), ("temperature_c",)
    outer_fail = False
    margin = True

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        if p.temperature_c is None:
            return None
        if c.temperature_c is None:
            return UNKNOWN
        (need_low, need_high), (low, high) = p.temperature_c, c.temperature_c
        return FAIL if need_low < low or need_high > high else PASS

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        assert p.temperature_c is not None  # outcome() checked it: only a stated need is explained
        need = temperature_range(*p.temperature_c)
        if outcome == UNKNOWN:
            return f"provider has not stated a temperature range; you need {need}"
        assert c.temperature_c is not None
        return f"needs {need}; holds {temperature_range(*c.temperature_c)}"

    def applicable(self, p: Arrays) -> BoolArray:
        return ~np.isnan(p.temp_min)

    def unknown_c(self, c: Arrays) -> BoolArray:
        return np.isnan(c.temp_min)

    def fail_pair(self, p: Arrays, c: Arrays) -> BoolArray:
        return (p.temp_min < c.temp_min) | (p.temp_max > c.temp_max)

    def within_margin(self, p: Arrays, c: Arrays, weights: Weights) -> BoolArray:
        excess = np.maximum(c.temp_min - p.temp_min, p.temp_max - c.temp_max)
        within: BoolArray = excess <= weights.near_miss_temperature_c
        return within

    def change(self, p: ProposalNeeds, c: CapabilityFacts) -> str:
        assert p.temperature_c is not None and c.temperature_c is not None  # a near miss: both stated
        (need_low, need_high), (low, high) = p.temperature_c, c.temperature_c
        fitted = (min(max(need_low, low), high), max(min(need_high, high), low))
        return (
            f"fits if your samples can be held at {temperature_range(*fitted)} "
            f"instead of {temperature_range(need_low, need_high)}"
        )


class StatedControl(Criterion):
    """A yes/no feature the proposal needs (it stated True): the listing's True passes, False fails."""

    p_attr = c_attr = ""
    feature = ""

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        if not getattr(p, self.p_fields[0]):
            return None
        offered = getattr(c, self.c_fields[0])
        if offered is None:
            return UNKNOWN
        return PASS if offered else FAIL

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        if outcome == UNKNOWN:
            return f"provider has not stated whether it offers {self.feature}; you need it"
        if outcome == FAIL:
            return f"needs {self.feature}; provider states it has none"
        return f"needs {self.feature}; provides it"

    # Comparisons with == are typed Any by numpy's stubs, as is getattr: the locals name the results.
    def applicable(self, p: Arrays) -> BoolArray:
        needed: BoolArray = getattr(p, self.p_attr)
        return needed

    def fail_c(self, c: Arrays) -> BoolArray:
        stated_no: BoolArray = getattr(c, self.c_attr) == 0
        return stated_no

    def unknown_c(self, c: Arrays) -> BoolArray:
        offered: Array = getattr(c, self.c_attr)
        return offered < 0


class CO2(StatedControl):
    name = "co2"
    p_fields, c_fields = ("co2",), ("co2_control",)
    p_attr = c_attr = "co2"
    feature = "CO2 control"


class Humidity(StatedControl):
    name = "humidity"
    p_fields, c_fields = ("humidity",), ("humidity_control",)
    p_attr = c_attr = "humidity"
    feature = "humidity control"


class Imaging(StatedControl):
    name = "imaging"
    p_fields, c_fields = ("imaging",), ("imaging",)
    p_attr = c_attr = "imaging"
    feature = "imaging"


def crew_phrase(level: str, subject: Literal["proposal", "listing"]) -> str:
    if subject == "proposal":
        return "you accept no crew time" if level == "none" else f"you accept up to {level} crew time"
    return "it needs no crew time" if level == "none" else f"it needs {level} crew time"


class CrewTimeLimit(Criterion):
    """Crew time is an estimate on both sides, so one level apart is for the provider to confirm, not a misfit.

    A proposal states the most crew involvement it can accept (or needs, for hands-on work); a listing the least it
    demands. A listing demanding one level more is PARTIAL (to confirm); two levels or more (a fully automated
    experiment and a glovebox session) is a stated contradiction, FAIL.
    """

    name = "crew_time"
    p_fields, c_fields = ("crew_time",), ("crew_time",)
    outer_fail = False
    margin = True

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        if p.crew_time is None:
            return None
        if c.crew_time is None:
            return UNKNOWN
        excess = CREW_RANK[c.crew_time] - CREW_RANK[p.crew_time]
        if excess <= 0:
            return PASS
        return PARTIAL if excess == 1 else FAIL

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        assert p.crew_time is not None  # outcome() checked it: only a stated need is explained
        accepts = crew_phrase(p.crew_time, "proposal")
        if outcome == UNKNOWN:
            return f"provider has not stated how much crew time it needs; {accepts}"
        assert c.crew_time is not None
        if outcome == PARTIAL:
            return f"{accepts}; {crew_phrase(c.crew_time, 'listing')}: confirm the crew time with the provider"
        return f"{accepts}; {crew_phrase(c.crew_time, 'listing')}"

    def applicable(self, p: Arrays) -> BoolArray:
        return p.crew >= 0

    def unknown_c(self, c: Arrays) -> BoolArray:
        return c.crew < 0

    def fail_pair(self, p: Arrays, c: Arrays) -> BoolArray:
        # An unstated proposal value is stored as 127 and an unstated listing value as -1: neither fails.
        return c.crew > p.crew_accepts + 1

    def partial_pair(self, p: Arrays, c: Arrays) -> BoolArray | None:
        one_level_more: BoolArray = c.crew == p.crew_accepts + 1  # numpy's stubs type == as Any
        return one_level_more

    def within_margin(self, p: Arrays, c: Arrays, weights: Weights) -> BoolArray:
        two_levels_more: BoolArray = c.crew == p.crew_accepts + 2
        return two_levels_more

    def change(self, p: ProposalNeeds, c: CapabilityFacts) -> str:
        return f"fits if you can accept {c.crew_time} crew time instead of {p.crew_time}"


class VariableGravity(Criterion):
    name = "variable_gravity"
    p_fields, c_fields = ("variable_gravity",), ("variable_gravity_g", "categories")

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        if not p.variable_gravity:
            return None
        if c.variable_gravity_g is not None or "variable_gravity_centrifuge" in c.categories:
            return PASS
        return UNKNOWN if c.is_host else FAIL

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        need = "needs on-orbit centrifugation"
        if outcome == PASS:
            if c.variable_gravity_g is None:
                return f"{need}; has a centrifuge (g range not stated)"
            low, high = c.variable_gravity_g
            return f"{need}; offers {num(low)}-{num(high)} g"
        if outcome == FAIL:
            return f"{need}; has no centrifuge"
        return f"{need}; provider has not stated whether a centrifuge can fly in your payload or theirs"

    def applicable(self, p: Arrays) -> BoolArray:
        return p.variable_gravity

    def fail_c(self, c: Arrays) -> BoolArray:
        has_none: BoolArray = c.centrifuge == 0  # numpy's stubs type == as Any
        return has_none

    def unknown_c(self, c: Arrays) -> BoolArray:
        return c.centrifuge < 0


class SampleReturn(Criterion):
    name = "sample_return"
    p_fields, c_fields = ("sample_return",), ("sample_return", "categories")

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        if not p.sample_return:
            return None
        state = returns_samples(c)
        if state is None:
            return UNKNOWN
        return PASS if state else FAIL

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        if outcome == UNKNOWN:
            return "provider has not stated whether it returns samples; you need them back"
        if outcome == FAIL:
            return "needs samples back; provider states it cannot return samples"
        if c.sample_return:
            return "needs samples back; returns samples"
        return "needs samples back; it is a sample-return service"

    def applicable(self, p: Arrays) -> BoolArray:
        return p.sample_return

    def fail_c(self, c: Arrays) -> BoolArray:
        returns_none: BoolArray = c.returns == 0  # numpy's stubs type == as Any
        return returns_none

    def unknown_c(self, c: Arrays) -> BoolArray:
        return c.returns < 0


def returns_samples(c: CapabilityFacts) -> bool | None:
    if c.sample_return is not None:
        return c.sample_return
    if "sample_return" in c.categories or "free_flyer_recoverable_capsule" in c.categories:
        return True
    return None
