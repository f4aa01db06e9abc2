"""Validators and bounds of listing facts, shared by the model, its forms and the importer."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
validate_external_id = RegexValidator(
    EXTERNAL_ID_PATTERN,
    "Use 1 to 100 letters, digits, dots, hyphens or underscores, starting with a letter or digit.",
)


def validate_positive(value):
    if value is not None and value <= 0:
        raise ValidationError("Enter a number greater than zero.", code="min_value")


TEMPERATURE_BOUNDS = (-273.15, 200.0)
COLD_STOWAGE_BOUNDS = (-273.15, 50.0)
GRAVITY_BOUNDS = (0.0, 100.0)
MAX_SOURCES = 50
MAX_SOURCE_LENGTH = 1000
DURATION_MAX_DAYS = 36500
FLIGHT_YEAR_BOUNDS = (1950, 2100)


RANGE_PAIRS = [
    ("temperature_min_c", "temperature_max_c", "temperature"),
    ("variable_gravity_min_g", "variable_gravity_max_g", "gravity"),
]


def validate_cold_stowage(value):
    """A list of temperatures in °C between -273.15 and 50 (an empty list states there is no cold stowage)."""
    if not isinstance(value, list):
        raise ValidationError("Give the cold stowage temperatures as a list of numbers.", code="invalid")
    low, high = COLD_STOWAGE_BOUNDS
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise ValidationError(f"{item!r} is not a temperature; use numbers in °C.", code="invalid")
        if not low <= item <= high:
            raise ValidationError(
                f"{item:g} °C is outside {low:g} to {high:g} °C, the range a cold stowage temperature can have.",
                code="out_of_range",
            )


def validate_sources(value):
    """Citations of the facts: usually a web address, possibly followed by a note ("https://... (p. 81)")."""
    if not isinstance(value, list):
        raise ValidationError("Give the sources as a list of citations (web addresses).", code="invalid")
    if len(value) > MAX_SOURCES:
        raise ValidationError(f"List at most {MAX_SOURCES} sources.", code="too_many")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"{item!r} is not a citation; give a web address or a reference.", code="invalid")
        if len(item) > MAX_SOURCE_LENGTH:
            raise ValidationError(
                f"A source may be at most {MAX_SOURCE_LENGTH} characters long (one is {len(item)}).", code="too_long"
            )
