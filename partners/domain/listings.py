"""Domain functions for capability listings: the one place a listing is created, changed, published or deleted.

Views, the admin, the importer and the demo seed all go through these functions, and each one reports what it
did through ``partners.signals.capability_changed`` once the transaction commits, so that whatever depends on
listings (the matcher's rescoring) hooks in at a single point.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.enums import ListingAction, PublicationState
from partners.models import AvailabilityWindow, Capability, Organisation
from partners.signals import capability_changed

# Everything a provider states about a listing, besides its availability windows.
LISTING_FIELDS = [
    "external_id",
    "name",
    "platform",
    "status",
    "categories",
    "research_areas",
    "description",
    "temperature_min_c",
    "temperature_max_c",
    "co2_control",
    "humidity_control",
    "capacity_units",
    "max_duration_days",
    "power_w",
    "crew_time",
    "imaging",
    "variable_gravity_min_g",
    "variable_gravity_max_g",
    "sample_return",
    "cold_stowage_c",
    "biosafety_level",
    "first_flight_year",
    "sources",
    "confidence",
]
# Vocabulary lists whose order carries no meaning: reordering them is not a change.
SET_FIELDS = {"categories", "research_areas"}
AVAILABILITY = "availability"
UNCHANGED = object()

Window = tuple[date, date]


def _same(field: str, old, new) -> bool:
    if field in SET_FIELDS:
        return set(old or []) == set(new or [])
    if field == "cold_stowage_c" and old is not None and new is not None:
        return [float(t) for t in old] == [float(t) for t in new]
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    return old == new


def overlapping_windows(windows: list[Window]) -> list[tuple[Window, Window]]:
    """Pairs of (well-ordered) windows that share at least one day; each window is paired with the earlier window
    reaching furthest, so a long window overlapping several later ones is reported for each of them."""
    pairs = []
    furthest = None
    for window in sorted((start, end) for start, end in windows if start <= end):
        if furthest is not None and window[0] <= furthest[1]:
            pairs.append((furthest, window))
        if furthest is None or window[1] > furthest[1]:
            furthest = window
    return pairs


def window_problems(windows: list[Window]) -> list[str]:
    """What is wrong with a set of availability windows: a window that ends before it starts, or two that overlap."""
    problems = []
    for start, end in windows:
        if start > end:
            problems.append(f"The window {_day(start)} to {_day(end)} ends before it starts.")
    for (first_start, first_end), (second_start, second_end) in overlapping_windows(windows):
        problems.append(
            f"The windows {_day(first_start)} to {_day(first_end)} and {_day(second_start)} to "
            f"{_day(second_end)} overlap; merge them or move one."
        )
    return problems


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _check_windows(windows) -> list[Window] | None:
    if windows is None:
        return None
    windows = sorted((start, end) for start, end in windows)
    problems = window_problems(windows)
    if problems:
        raise ValidationError({AVAILABILITY: problems})
    return windows


def _current_windows(capability: Capability) -> list[Window] | None:
    if not capability.availability_stated:
        return None
    return [(w.start, w.end) for w in capability.windows()]


def _replace_windows(capability: Capability, windows: list[Window] | None) -> None:
    capability.availability_windows.all().delete()
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(capability=capability, start=start, end=end) for start, end in windows or []
    )
    # Drop a stale prefetch so to_interchange() and windows() see the new rows.
    getattr(capability, "_prefetched_objects_cache", {}).pop("availability_windows", None)


def _report(capability_id: int, public_id, organisation_id: int, action: str, fields=(), categories=()) -> None:
    """``categories``: the kinds of hardware the listing offered before the change (deleted or recategorised)."""

    def send():
        capability_changed.send(
            sender=Capability,
            capability_id=capability_id,
            public_id=public_id,
            organisation_id=organisation_id,
            action=action,
            fields=list(fields),
            categories=list(categories),
        )

    transaction.on_commit(send)


def create_capability(
    organisation: Organisation, *, values: dict, windows: list[Window] | None = None, publish: bool = False
) -> Capability:
    """A new listing of ``organisation``. ``windows=None`` leaves availability not stated."""
    unknown = set(values) - set(LISTING_FIELDS)
    if unknown:
        raise TypeError(f"not listing fields: {sorted(unknown)}")
    windows = _check_windows(windows)
    capability = Capability(organisation=organisation, availability_stated=windows is not None, **values)
    if publish:
        capability.publication = PublicationState.PUBLISHED
        capability.published_at = timezone.now()
    capability.full_clean()
    with transaction.atomic():
        capability.save()
        _replace_windows(capability, windows)
        _report(capability.pk, capability.public_id, organisation.pk, ListingAction.CREATED, LISTING_FIELDS)
        if publish:
            _report(capability.pk, capability.public_id, organisation.pk, ListingAction.PUBLISHED)
    return capability


def changed_fields(capability: Capability, values: dict, windows=UNCHANGED) -> list[str]:
    """The listing fields (and "availability") that ``values`` and ``windows`` would change."""
    changed = [field for field, value in values.items() if not _same(field, getattr(capability, field), value)]
    if windows is not UNCHANGED:
        new = None if windows is None else sorted(windows)
        if new != _current_windows(capability):
            changed.append(AVAILABILITY)
    return changed


def update_capability(capability: Capability, *, values: dict, windows=UNCHANGED) -> list[str]:
    """Apply ``values`` (and ``windows`` when given; None = not stated). Returns the fields that changed."""
    unknown = set(values) - set(LISTING_FIELDS)
    if unknown:
        raise TypeError(f"not listing fields: {sorted(unknown)}")
    if windows is not UNCHANGED:
        windows = _check_windows(windows)
    changed = changed_fields(capability, values, windows)
    if not changed:
        return []
    field_changes = [field for field in changed if field != AVAILABILITY]
    previous_categories = list(capability.categories)
    for field in field_changes:
        setattr(capability, field, values[field])
    if AVAILABILITY in changed:
        capability.availability_stated = windows is not None
    capability.full_clean()
    with transaction.atomic():
        update_fields = [*field_changes, "updated_at"]
        if AVAILABILITY in changed:
            update_fields.append("availability_stated")
            _replace_windows(capability, windows)
        capability.save(update_fields=update_fields)
        _report(
            capability.pk,
            capability.public_id,
            capability.organisation_id,
            ListingAction.UPDATED,
            changed,
            categories=previous_categories,
        )
    return changed


def publish_capability(capability: Capability) -> bool:
    if capability.is_published:
        return False
    capability.publication = PublicationState.PUBLISHED
    capability.published_at = timezone.now()
    with transaction.atomic():
        capability.save(update_fields=["publication", "published_at", "updated_at"])
        _report(capability.pk, capability.public_id, capability.organisation_id, ListingAction.PUBLISHED)
    return True


def unpublish_capability(capability: Capability) -> bool:
    if not capability.is_published:
        return False
    capability.publication = PublicationState.DRAFT
    with transaction.atomic():
        capability.save(update_fields=["publication", "updated_at"])
        _report(capability.pk, capability.public_id, capability.organisation_id, ListingAction.UNPUBLISHED)
    return True


def confirm_capability(capability: Capability, today: date | None = None) -> bool:
    """The provider confirms the listing is current as of ``today``."""
    today = today or timezone.localdate()
    if capability.last_confirmed == today:
        return False
    capability.last_confirmed = today
    with transaction.atomic():
        capability.save(update_fields=["last_confirmed", "updated_at"])
        _report(capability.pk, capability.public_id, capability.organisation_id, ListingAction.CONFIRMED)
    return True


def delete_capability(capability: Capability) -> None:
    capability_id, public_id, organisation_id = capability.pk, capability.public_id, capability.organisation_id
    categories = list(capability.categories)
    with transaction.atomic():
        capability.delete()
        _report(capability_id, public_id, organisation_id, ListingAction.DELETED, categories=categories)


def record_admin_change(capability: Capability, action: str, fields) -> None:
    """Staff changed a listing in the admin (which saves through its own forms): report it like any other."""
    _report(capability.pk, capability.public_id, capability.organisation_id, action, fields)


# --- What the matcher cannot check until the provider says -------------------------------------------------


@dataclass(frozen=True)
class UnstatedFact:
    field: str
    label: str
    consequence: str


def _stated(capability: Capability, field: str) -> bool:
    if field == "temperature":
        return capability.temperature_min_c is not None
    if field == AVAILABILITY:
        return capability.availability_stated
    if field == "crew_time":
        return bool(capability.crew_time)
    return getattr(capability, field) is not None


# In the order researchers' needs usually bite (sample return first, see DOMAIN.md).
MATCHING_FACTS = [
    ("sample_return", "Sample return", "Researchers needing sample return"),
    ("temperature", "Temperature range", "Researchers whose samples must be held in a temperature range"),
    ("max_duration_days", "Maximum duration", "Researchers planning a run of a given length"),
    ("crew_time", "Crew time needed", "Researchers who can accept only limited crew time"),
    ("capacity_units", "Capacity", "Researchers needing several experiment units"),
    ("co2_control", "CO₂ control", "Researchers needing CO₂ control"),
    ("humidity_control", "Humidity control", "Researchers needing humidity control"),
    ("imaging", "Imaging", "Researchers needing on-orbit imaging"),
    ("cold_stowage_c", "Cold stowage", "Researchers whose samples must return cold"),
    ("power_w", "Power", "Researchers with a power budget"),
    ("biosafety_level", "Biosafety level", "Researchers working at a given biosafety level"),
    (AVAILABILITY, "Availability windows", "Researchers with a launch window"),
]


def unstated_facts(capability: Capability) -> list[UnstatedFact]:
    """The facts the matcher reads that this listing leaves unstated, each with what it costs the listing."""
    return [
        UnstatedFact(field, label, f"{who} will see this listing as “to confirm” until you state it.")
        for field, label, who in MATCHING_FACTS
        if not _stated(capability, field)
    ]
