"""Presentation of a listing's envelope: every fact as a readable value, or None for "not stated"."""

import re

from django import template

from partners.enums import Category, ResearchArea

register = template.Library()

SOURCE_URL = re.compile(r"https?://\S+")

CATEGORY_LABELS = dict(Category.choices)
RESEARCH_AREA_LABELS = dict(ResearchArea.choices)


def _yes_no(value):
    return None if value is None else ("Yes" if value else "No")


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _range(low, high, unit):
    if low is None or high is None:
        return None
    return f"{_number(low)} to {_number(high)} {unit}"


def _day(value):
    return f"{value.day} {value:%b %Y}"


@register.filter
def category_labels(values) -> list[str]:
    return [CATEGORY_LABELS.get(value, value) for value in values or []]


@register.filter
def research_area_labels(values) -> list[str]:
    return [RESEARCH_AREA_LABELS.get(value, value) for value in values or []]


@register.filter
def source_parts(source: str) -> tuple[str, str]:
    """(web address, note) of a citation such as "https://example.org/page (p. 81)"; address "" when it has none."""
    match = SOURCE_URL.match(source.strip())
    if match is None:
        return "", source
    return match.group(0), source.strip()[match.end() :].strip()


@register.simple_tag
def envelope_rows(capability) -> list[tuple[str, str | None]]:
    """(label, value) for every fact of the listing; value None when the provider has not stated it."""
    c = capability
    if c.availability_stated:
        windows = c.windows()
        availability = "; ".join(f"{_day(w.start)} to {_day(w.end)}" for w in windows) or "No open windows"
    else:
        availability = None
    cold = c.cold_stowage_c
    return [
        ("Platform", c.platform or None),
        ("Status", c.get_status_display()),
        ("Categories", ", ".join(category_labels(c.categories)) or None),
        ("Research areas", ", ".join(research_area_labels(c.research_areas)) or None),
        ("Temperature range", _range(c.temperature_min_c, c.temperature_max_c, "°C")),
        ("CO₂ control", _yes_no(c.co2_control)),
        ("Humidity control", _yes_no(c.humidity_control)),
        ("Capacity", None if c.capacity_units is None else f"{c.capacity_units} experiment units"),
        ("Maximum duration", None if c.max_duration_days is None else f"{_number(c.max_duration_days)} days"),
        ("Power", None if c.power_w is None else f"{_number(c.power_w)} W"),
        ("Crew time needed", c.get_crew_time_display() or None),
        ("Imaging", _yes_no(c.imaging)),
        ("On-orbit centrifuge", _range(c.variable_gravity_min_g, c.variable_gravity_max_g, "g")),
        ("Sample return", _yes_no(c.sample_return)),
        (
            "Cold stowage",
            None if cold is None else (", ".join(_number(float(t)) for t in cold) + " °C" if cold else "None"),
        ),
        ("Biosafety level", None if c.biosafety_level is None else f"BSL-{c.biosafety_level}"),
        ("First flight", None if c.first_flight_year is None else str(c.first_flight_year)),
        ("Availability", availability),
    ]
