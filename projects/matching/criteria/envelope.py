"""Criteria on the listing's stated envelope: numbers, controls, crew time, centrifuge and sample return."""

import numpy as np

from projects.matching.criteria.base import FAIL, PARTIAL, PASS, UNKNOWN, Criterion, num, temperature_range
from projects.matching.vocabulary import CREW_RANK


class NumberAtMost(Criterion):
    """The proposal's number must not exceed the listing's stated maximum."""

    outer_fail = False
    margin = True
    p_attr = c_attr = ""

    def outcome(self, p, c, weights):
        need, limit = getattr(p, self.p_fields[0]), getattr(c, self.c_fields[0])
        if need is None:
            return None
        if limit is None:
            return UNKNOWN
        return FAIL if need > limit else PASS

    def applicable(self, p):
        return ~np.isnan(getattr(p, self.p_attr))

    def unknown_c(self, c):
        return np.isnan(getattr(c, self.c_attr))

    def fail_pair(self, p, c):
        return getattr(p, self.p_attr) > getattr(c, self.c_attr)

    def within_margin(self, p, c, weights):
        need, limit = getattr(p, self.p_attr), getattr(c, self.c_attr)
        return (limit > 0) & (need <= limit * (1.0 + weights.near_miss_relative))


class Units(NumberAtMost):
    name = "units_needed"
    p_fields, c_fields = ("units_needed",), ("capacity_units",)
    p_attr, c_attr = "units", "capacity"

    def detail(self, p, c, outcome):
        if outcome == UNKNOWN:
            return f"provider has not stated a capacity; you need {num(p.units_needed)} units"
        return f"needs {num(p.units_needed)} units; holds {num(c.capacity_units)}"

    def change(self, p, c):
        return f"fits if you can fly {num(c.capacity_units)} units instead of {num(p.units_needed)}"


class Duration(NumberAtMost):
    name = "duration_days"
    p_fields, c_fields = ("duration_days",), ("max_duration_days",)
    p_attr, c_attr = "duration", "max_duration"

    def detail(self, p, c, outcome):
        if outcome == UNKNOWN:
            return f"provider has not stated a maximum duration; you need {num(p.duration_days)} days"
        return f"needs {num(p.duration_days)} days; runs up to {num(c.max_duration_days)} days"

    def change(self, p, c):
        return f"fits if your experiment can run in {num(c.max_duration_days)} days instead of {num(p.duration_days)}"


class Power(NumberAtMost):
    name = "power_w"
    p_fields, c_fields = ("power_w",), ("power_w",)
    p_attr, c_attr = "power", "power"

    def detail(self, p, c, outcome):
        if outcome == UNKNOWN:
            return f"provider has not stated the power it supplies; you need {num(p.power_w)} W"
        return f"needs {num(p.power_w)} W; supplies up to {num(c.power_w)} W"

    def change(self, p, c):
        return f"fits if your payload can run on {num(c.power_w)} W instead of {num(p.power_w)} W"


class Biosafety(NumberAtMost):
    name = "biosafety_level"
    p_fields, c_fields = ("biosafety_level",), ("biosafety_level",)
    p_attr, c_attr = "bsl", "bsl"
    margin = False  # nobody lowers the biosafety level of their organisms to fit a facility

    def detail(self, p, c, outcome):
        if outcome == UNKNOWN:
            return f"provider has not stated a biosafety level; you work at BSL-{p.biosafety_level}"
        return f"you work at BSL-{p.biosafety_level}; it supports up to BSL-{c.biosafety_level}"


class Temperature(Criterion):
    name = "temperature_c"
    p_fields, c_fields = ("temperature_c",), ("temperature_c",)
    outer_fail = False
    margin = True

    def outcome(self, p, c, weights):
        if p.temperature_c is None:
            return None
        if c.temperature_c is None:
            return UNKNOWN
        (need_low, need_high), (low, high) = p.temperature_c, c.temperature_c
        return FAIL if need_low < low or need_high > high else PASS

    def detail(self, p, c, outcome):
        need = temperature_range(*p.temperature_c)
        if outcome == UNKNOWN:
            return f"provider has not stated a temperature range; you need {need}"
        return f"needs {need}; holds {temperature_range(*c.temperature_c)}"

    def applicable(self, p):
        return ~np.isnan(p.temp_min)

    def unknown_c(self, c):
        return np.isnan(c.temp_min)

    def fail_pair(self, p, c):
        return (p.temp_min < c.temp_min) | (p.temp_max > c.temp_max)

    def within_margin(self, p, c, weights):
        excess = np.maximum(c.temp_min - p.temp_min, p.temp_max - c.temp_max)
        return excess <= weights.near_miss_temperature_c

    def change(self, p, c):
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

    def outcome(self, p, c, weights):
        if not getattr(p, self.p_fields[0]):
            return None
        offered = getattr(c, self.c_fields[0])
        if offered is None:
            return UNKNOWN
        return PASS if offered else FAIL

    def detail(self, p, c, outcome):
        if outcome == UNKNOWN:
            return f"provider has not stated whether it offers {self.feature}; you need it"
        if outcome == FAIL:
            return f"needs {self.feature}; provider states it has none"
        return f"needs {self.feature}; provides it"

    def applicable(self, p):
        return getattr(p, self.p_attr)

    def fail_c(self, c):
        return getattr(c, self.c_attr) == 0

    def unknown_c(self, c):
        return getattr(c, self.c_attr) < 0


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


def crew_phrase(level, subject):
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

    def outcome(self, p, c, weights):
        if p.crew_time is None:
            return None
        if c.crew_time is None:
            return UNKNOWN
        excess = CREW_RANK[c.crew_time] - CREW_RANK[p.crew_time]
        if excess <= 0:
            return PASS
        return PARTIAL if excess == 1 else FAIL

    def detail(self, p, c, outcome):
        accepts = crew_phrase(p.crew_time, "proposal")
        if outcome == UNKNOWN:
            return f"provider has not stated how much crew time it needs; {accepts}"
        if outcome == PARTIAL:
            return f"{accepts}; {crew_phrase(c.crew_time, 'listing')}: confirm the crew time with the provider"
        return f"{accepts}; {crew_phrase(c.crew_time, 'listing')}"

    def applicable(self, p):
        return p.crew >= 0

    def unknown_c(self, c):
        return c.crew < 0

    def fail_pair(self, p, c):
        # An unstated proposal value is stored as 127 and an unstated listing value as -1: neither fails.
        return c.crew > p.crew_accepts + 1

    def partial_pair(self, p, c):
        return c.crew == p.crew_accepts + 1

    def within_margin(self, p, c, weights):
        return c.crew == p.crew_accepts + 2

    def change(self, p, c):
        return f"fits if you can accept {c.crew_time} crew time instead of {p.crew_time}"


class VariableGravity(Criterion):
    name = "variable_gravity"
    p_fields, c_fields = ("variable_gravity",), ("variable_gravity_g", "categories")

    def outcome(self, p, c, weights):
        if not p.variable_gravity:
            return None
        if c.variable_gravity_g is not None or "variable_gravity_centrifuge" in c.categories:
            return PASS
        return UNKNOWN if c.is_host else FAIL

    def detail(self, p, c, outcome):
        need = "needs on-orbit centrifugation"
        if outcome == PASS:
            if c.variable_gravity_g is None:
                return f"{need}; has a centrifuge (g range not stated)"
            low, high = c.variable_gravity_g
            return f"{need}; offers {num(low)}-{num(high)} g"
        if outcome == FAIL:
            return f"{need}; has no centrifuge"
        return f"{need}; provider has not stated whether a centrifuge can fly in your payload or theirs"

    def applicable(self, p):
        return p.variable_gravity

    def fail_c(self, c):
        return c.centrifuge == 0

    def unknown_c(self, c):
        return c.centrifuge < 0


class SampleReturn(Criterion):
    name = "sample_return"
    p_fields, c_fields = ("sample_return",), ("sample_return", "categories")

    def outcome(self, p, c, weights):
        if not p.sample_return:
            return None
        state = returns_samples(c)
        if state is None:
            return UNKNOWN
        return PASS if state else FAIL

    def detail(self, p, c, outcome):
        if outcome == UNKNOWN:
            return "provider has not stated whether it returns samples; you need them back"
        if outcome == FAIL:
            return "needs samples back; provider states it cannot return samples"
        if c.sample_return:
            return "needs samples back; returns samples"
        return "needs samples back; it is a sample-return service"

    def applicable(self, p):
        return p.sample_return

    def fail_c(self, c):
        return c.returns == 0

    def unknown_c(self, c):
        return c.returns < 0


def returns_samples(c) -> bool | None:
    if c.sample_return is not None:
        return c.sample_return
    if "sample_return" in c.categories or "free_flyer_recoverable_capsule" in c.categories:
        return True
    return None
