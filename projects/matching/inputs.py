"""What the engine knows: a listing, a proposal and a flight precedent, as frozen dataclasses from interchange items.

``None`` always means "not stated" (never "no"): ``co2_control=None`` is unknown, ``False`` is a stated absence.
``from_interchange`` reads one item of a ``leoportal.capabilities/1``, ``leoportal.proposals/1`` or
``leoportal.precedents/1`` document (as
defined by the JSON Schemas, which the caller has validated) and refuses values the schema cannot catch
(a range whose minimum is above its maximum, a launch window that ends before it starts) with a ``FactsError``
naming every problem.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from projects.matching.vocabulary import CATEGORY_INDEX, HOST_CATEGORIES, RESEARCH_AREA_INDEX

# A precedent from a curated file, or one recorded on the portal (its text is confidential: explanations show its
# label, never its title).
CURATED: Final = "curated"
PORTAL: Final = "portal"


class FactsError(ValueError):
    def __init__(self, item_id: str, problems: Iterable[str]):
        self.item_id = item_id
        self.problems = list(problems)
        super().__init__(f"{item_id}: " + "; ".join(self.problems))


Range = tuple[float, float]
Window = tuple[date, date]
# One item of an interchange document, parsed from JSON and validated against its schema by the caller.
Item = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CapabilityFacts:
    id: str
    name: str
    provider: str
    categories: tuple[str, ...]
    research_areas: tuple[str, ...] = ()
    platform: str | None = None
    status: str | None = None
    description: str | None = None
    temperature_c: Range | None = None
    co2_control: bool | None = None
    humidity_control: bool | None = None
    capacity_units: int | None = None
    max_duration_days: float | None = None
    power_w: float | None = None
    crew_time: str | None = None
    imaging: bool | None = None
    variable_gravity_g: Range | None = None
    sample_return: bool | None = None
    cold_stowage_c: tuple[float, ...] | None = None
    biosafety_level: int | None = None
    first_flight_year: int | None = None
    availability: tuple[Window, ...] | None = None
    # Not read by the engine; carries the caller's key (a database id) through a ranking run. Typed Any: it is the
    # caller's value, of the caller's type, handed back untouched.
    ref: Any = field(default=None, compare=False)

    @classmethod
    def from_interchange(cls, item: Item, ref: Any = None) -> "CapabilityFacts":
        problems: list[str] = []
        facts = cls(
            id=item["id"],
            name=item["name"],
            provider=item["provider"],
            categories=tuple(sorted(set(item["categories"]), key=CATEGORY_INDEX.__getitem__)),
            research_areas=_areas(item),
            platform=item.get("platform"),
            status=item.get("status"),
            description=item.get("description"),
            temperature_c=_range(item, "temperature_c", problems),
            co2_control=item.get("co2_control"),
            humidity_control=item.get("humidity_control"),
            capacity_units=item.get("capacity_units"),
            max_duration_days=item.get("max_duration_days"),
            power_w=item.get("power_w"),
            crew_time=item.get("crew_time"),
            imaging=item.get("imaging"),
            variable_gravity_g=_range(item, "variable_gravity_g", problems),
            sample_return=item.get("sample_return"),
            cold_stowage_c=None if item.get("cold_stowage_c") is None else tuple(sorted(set(item["cold_stowage_c"]))),
            biosafety_level=item.get("biosafety_level"),
            first_flight_year=item.get("first_flight_year"),
            availability=_windows(item.get("availability"), "availability", "start", "end", problems),
            ref=ref,
        )
        if problems:
            raise FactsError(facts.id, problems)
        return facts

    @property
    def is_host(self) -> bool:
        return not HOST_CATEGORIES.isdisjoint(self.categories)

    @property
    def offered_categories(self) -> tuple[str, ...]:
        """The categories listed plus those its stated facts imply.

        Returning samples is the sample-return service; a stated g range is a centrifuge (the interchange README:
        "a capability offers it when variable_gravity_g is set"); stated imaging is imaging; a stated cold-stowage
        temperature is cold stowage.
        """
        offered = set(self.categories)
        if self.sample_return:
            offered.add("sample_return")
        if self.variable_gravity_g is not None:
            offered.add("variable_gravity_centrifuge")
        if self.imaging:
            offered.add("imaging_microscopy")
        if self.cold_stowage_c:
            offered.add("cold_stowage_freezer")
        return tuple(sorted(offered, key=CATEGORY_INDEX.__getitem__))

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.name, self.platform, self.description) if part)


@dataclass(frozen=True, slots=True)
class ProposalNeeds:
    id: str
    title: str
    summary: str
    why_microgravity: str | None = None
    research_areas: tuple[str, ...] = ()
    sample_type: str | None = None
    needs: tuple[str, ...] = ()
    temperature_c: Range | None = None
    co2: bool | None = None
    humidity: bool | None = None
    units_needed: int | None = None
    duration_days: float | None = None
    power_w: float | None = None
    crew_time: str | None = None
    imaging: bool | None = None
    variable_gravity: bool | None = None
    sample_return: bool | None = None
    return_temperature_c: float | None = None
    biosafety_level: int | None = None
    launch_window: Window | None = None
    # Not read by the engine; kept so a caller can carry its own key (a database id) through a ranking run (Any: the
    # caller's value, handed back untouched).
    ref: Any = field(default=None, compare=False)

    @classmethod
    def from_interchange(cls, item: Item, ref: Any = None) -> "ProposalNeeds":
        problems: list[str] = []
        windows = _windows(
            None if item.get("launch_window") is None else [item["launch_window"]],
            "launch_window",
            "earliest",
            "latest",
            problems,
        )
        needs = cls(
            id=item["id"],
            title=item["title"],
            summary=item["summary"],
            why_microgravity=item.get("why_microgravity"),
            research_areas=_areas(item),
            sample_type=item.get("sample_type"),
            needs=tuple(sorted(set(item.get("needs") or ()), key=CATEGORY_INDEX.__getitem__)),
            temperature_c=_range(item, "temperature_c", problems),
            co2=item.get("co2"),
            humidity=item.get("humidity"),
            units_needed=item.get("units_needed"),
            duration_days=item.get("duration_days"),
            power_w=item.get("power_w"),
            crew_time=item.get("crew_time"),
            imaging=item.get("imaging"),
            variable_gravity=item.get("variable_gravity"),
            sample_return=item.get("sample_return"),
            return_temperature_c=item.get("return_temperature_c"),
            biosafety_level=item.get("biosafety_level"),
            launch_window=windows[0] if windows else None,
            ref=ref,
        )
        if problems:
            raise FactsError(needs.id, problems)
        return needs

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.title, self.summary, self.why_microgravity) if part)

    @property
    def states_requirements(self) -> bool:
        """Whether the proposal states any flight requirement the checks read (kinds of hardware or a fact)."""
        return bool(self.needs) or any(
            value is not None and value is not False
            for value in (
                self.temperature_c,
                self.co2,
                self.humidity,
                self.units_needed,
                self.duration_days,
                self.power_w,
                self.crew_time,
                self.imaging,
                self.variable_gravity,
                self.sample_return,
                # A return temperature is checked only for samples that come back.
                None if self.sample_return is False else self.return_temperature_c,
                self.biosafety_level,
                self.launch_window,
            )
        )


@dataclass(frozen=True, slots=True)
class PrecedentFacts:
    """An experiment that flew, and the listings (by id) that flew it. Only its science is read for similarity:
    text, research areas and sample type, never its flight needs, so that stating a need never moves the evidence
    of past flights."""

    id: str
    title: str
    summary: str
    facilities: tuple[str, ...]
    year: int
    research_areas: tuple[str, ...] = ()
    sample_type: str | None = None
    origin: str = CURATED
    # What an explanation names it by: the title for a curated precedent; a generic phrase for a portal one.
    label: str = ""

    @classmethod
    def from_interchange(cls, item: Item) -> "PrecedentFacts":
        origin = item.get("origin") or CURATED
        if origin not in (CURATED, PORTAL):
            raise FactsError(item["id"], [f"origin: {origin!r} is neither {CURATED!r} nor {PORTAL!r}"])
        label = item.get("label") or (item["title"] if origin == CURATED else "a similar proposal on this portal")
        return cls(
            id=item["id"],
            title=item["title"],
            summary=item["summary"],
            facilities=tuple(sorted(set(item["facilities"]))),
            year=int(item["year"]),
            research_areas=_areas(item),
            sample_type=item.get("sample_type"),
            origin=origin,
            label=label,
        )

    @property
    def text(self) -> str:
        return f"{self.title} {self.summary}"


def _areas(item: Item) -> tuple[str, ...]:
    return tuple(sorted(set(item.get("research_areas") or ()), key=RESEARCH_AREA_INDEX.__getitem__))


def _range(item: Item, key: str, problems: list[str]) -> Range | None:
    value = item.get(key)
    if value is None:
        return None
    low, high = float(value["min"]), float(value["max"])
    if low > high:
        problems.append(f"{key}: min ({value['min']}) is above max ({value['max']})")
    return (low, high)


def _windows(
    values: Sequence[Mapping[str, str]] | None, key: str, start_key: str, end_key: str, problems: list[str]
) -> tuple[Window, ...] | None:
    if values is None:
        return None
    windows: list[Window] = []
    for value in values:
        try:
            start, end = date.fromisoformat(value[start_key]), date.fromisoformat(value[end_key])
        except (TypeError, ValueError):
            problems.append(f"{key}: {value[start_key]!r} to {value[end_key]!r} is not a pair of ISO dates")
            continue
        if start > end:
            problems.append(f"{key}: {start_key} {start} is after {end_key} {end}")
        windows.append((start, end))
    return tuple(sorted(windows))
