"""Hypothesis strategies: random listings and proposals drawn from small pools so edge cases (equal bounds,
touching windows, unstated facts, stated-but-empty lists) come up often."""

from datetime import date

from hypothesis import strategies as st

from projects.matching import CapabilityFacts, ProposalNeeds
from projects.matching.vocabulary import CATEGORIES, CREW_TIMES, RESEARCH_AREAS, SAMPLE_TYPES, STATUSES

TEMPERATURES = [-160.0, -95.0, -80.0, -20.0, 4.0, 10.0, 18.0, 20.0, 36.0, 36.5, 37.0, 38.0, 40.0]
DAYS = [date(2027, 1, 1), date(2027, 3, 1), date(2027, 6, 1), date(2027, 9, 30), date(2027, 12, 31), date(2028, 2, 1)]
WORDS = [
    "bioprint",
    "bioink",
    "crystal",
    "organoid",
    "chip",
    "stem cells",
    "mice",
    "centrifuge",
    "1 g",
    "culture",
    "freezer",
    "-80",
    "microscope",
    "sequencing",
    "capsule",
    "astronaut",
    "muscle",
    "bone",
    "liver",
    "the",
]


def maybe(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def ranges(draw, values):
    low, high = sorted(draw(st.lists(st.sampled_from(values), min_size=2, max_size=2)))
    return (low, high)


@st.composite
def windows(draw):
    start, end = sorted(draw(st.lists(st.sampled_from(DAYS), min_size=2, max_size=2)))
    return (start, end)


def texts():
    return st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)


@st.composite
def capabilities(draw, index=0):
    categories = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True))
    return CapabilityFacts(
        id=f"cap-{index:03d}",
        name=draw(texts()) or "listing",
        provider=draw(st.sampled_from(["Provider A", "Provider B", "Provider C"])),
        categories=tuple(sorted(categories, key=CATEGORIES.index)),
        research_areas=tuple(draw(st.lists(st.sampled_from(RESEARCH_AREAS), max_size=3, unique=True))),
        status=draw(maybe(st.sampled_from(STATUSES))),
        description=draw(maybe(texts())),
        temperature_c=draw(maybe(ranges(TEMPERATURES))),
        co2_control=draw(maybe(st.booleans())),
        humidity_control=draw(maybe(st.booleans())),
        capacity_units=draw(maybe(st.sampled_from([0, 1, 8, 10, 12, 42]))),
        max_duration_days=draw(maybe(st.sampled_from([7.0, 14.0, 20.0, 30.0, 120.0]))),
        power_w=draw(maybe(st.sampled_from([50.0, 100.0, 1000.0]))),
        crew_time=draw(maybe(st.sampled_from(CREW_TIMES))),
        imaging=draw(maybe(st.booleans())),
        variable_gravity_g=draw(maybe(ranges([0.0, 0.1, 1.0, 2.0]))),
        sample_return=draw(maybe(st.booleans())),
        cold_stowage_c=draw(
            maybe(
                st.lists(st.sampled_from(TEMPERATURES[:6]), max_size=3, unique=True).map(
                    lambda values: tuple(sorted(values))
                )
            )
        ),
        biosafety_level=draw(maybe(st.integers(1, 3))),
        first_flight_year=draw(maybe(st.integers(2000, 2025))),
        availability=draw(maybe(st.lists(windows(), max_size=3).map(lambda w: tuple(sorted(w))))),
    )


@st.composite
def proposals(draw, index=0):
    returns = draw(maybe(st.booleans()))
    return ProposalNeeds(
        id=f"prop-{index:03d}",
        title=draw(texts()) or "proposal",
        summary=draw(texts()) or "summary",
        why_microgravity=draw(maybe(texts())),
        research_areas=tuple(draw(st.lists(st.sampled_from(RESEARCH_AREAS), max_size=3, unique=True))),
        sample_type=draw(maybe(st.sampled_from(SAMPLE_TYPES))),
        needs=tuple(sorted(draw(st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True)), key=CATEGORIES.index)),
        temperature_c=draw(maybe(ranges(TEMPERATURES))),
        co2=draw(maybe(st.booleans())),
        humidity=draw(maybe(st.booleans())),
        units_needed=draw(maybe(st.sampled_from([1, 10, 12, 15, 18, 42]))),
        duration_days=draw(maybe(st.sampled_from([7.0, 14.0, 21.0, 30.0, 42.0, 45.0]))),
        power_w=draw(maybe(st.sampled_from([50.0, 100.0, 120.0, 1200.0]))),
        crew_time=draw(maybe(st.sampled_from(CREW_TIMES))),
        imaging=draw(maybe(st.booleans())),
        variable_gravity=draw(maybe(st.booleans())),
        sample_return=returns,
        return_temperature_c=draw(maybe(st.sampled_from([-80.0, -20.0, 4.0, 6.0, 37.0]))),
        biosafety_level=draw(maybe(st.integers(1, 3))),
        launch_window=draw(maybe(windows())),
    )


@st.composite
def catalogues(draw, min_size=1, max_size=8):
    size = draw(st.integers(min_size, max_size))
    return [draw(capabilities(index)) for index in range(size)]


@st.composite
def proposal_lists(draw, min_size=1, max_size=4):
    size = draw(st.integers(min_size, max_size))
    return [draw(proposals(index)) for index in range(size)]
