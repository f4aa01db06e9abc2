"""Capability listings and their availability windows.

A listing keeps every field of ``leoportal.capabilities/1`` as a real column (ranges as min/max pairs) so the
catalogue and the matcher filter in the database, and the constraints below hold even for rows written through
the admin or a bulk import. ``None`` (or ``""`` for text) always means "not stated", never "no".
"""

import uuid

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from leoportal.fields import ChoiceListField
from leoportal.models.constraints import pair_q, range_q
from leoportal.text import validate_single_line
from partners.enums import (
    CapabilityStatus,
    Category,
    Confidence,
    CrewTime,
    PublicationState,
    ResearchArea,
)
from partners.models.organisations import Organisation
from partners.models.validation import (
    DURATION_MAX_DAYS,
    FLIGHT_YEAR_BOUNDS,
    GRAVITY_BOUNDS,
    RANGE_PAIRS,
    TEMPERATURE_BOUNDS,
    validate_cold_stowage,
    validate_external_id,
    validate_positive,
    validate_sources,
)


def _search_vector():
    # Must stay identical to the expression of the GIN index of migration 0006 (the planner only uses the index
    # when the expressions match); tests/partners/test_catalogue.py checks that it does. Names rank above the
    # provider, platform, categories and research areas, which rank above descriptions.
    return (
        SearchVector("name", weight="A", config="english")
        + SearchVector("search_terms", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
    )


# The fields whose words (or labels) ``Capability.search_terms`` holds.
SEARCH_TERM_FIELDS = ("platform", "categories", "research_areas", "organisation")


def search_terms_of(capability, organisation_name: str | None = None) -> str:
    """What the catalogue search reads besides the name and description: the provider's name, the platform and the
    category and research area labels (as people write them, not their codes)."""
    categories = dict(Category.choices)
    areas = dict(ResearchArea.choices)
    words = [organisation_name if organisation_name is not None else capability.organisation.name]
    words.append(capability.platform)
    words += [str(categories.get(code, code)) for code in capability.categories or ()]
    words += [str(areas.get(code, code)) for code in capability.research_areas or ()]
    return " · ".join(word for word in words if word)


class CapabilityQuerySet(models.QuerySet):
    def public(self):
        """Published listings of verified organisations: what anyone may see."""
        return self.filter(publication=PublicationState.PUBLISHED, organisation__verified=True)

    def matchable(self):
        """What the matcher may rank: the same set the public sees."""
        return self.public()

    def manageable_by(self, user):
        """Listings ``user`` may edit, publish and delete: those of their organisations."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(organisation__memberships__user=user)

    def with_related(self):
        return self.select_related("organisation").prefetch_related("availability_windows")

    def search(self, text: str, *, vendor: str | None = None):
        """Listings whose name, description, provider, platform, categories or research areas match ``text``,
        best first.

        PostgreSQL: full-text search (English stemming; quoted phrases and -exclusions as in web search) ranked
        with the name weighted above the provider, platform, categories and areas, and those above the
        description, using the GIN index. Other databases: every word must appear in one of them
        (case-insensitive), in name order.
        """
        text = (text or "").strip()
        if not text:
            return self
        if (vendor or connection.vendor) == "postgresql":
            query = SearchQuery(text, search_type="websearch", config="english")
            vector = _search_vector()
            return (
                self.annotate(search_rank=SearchRank(vector, query))
                .alias(search_document=vector)
                .filter(search_document=query)
                .order_by("-search_rank", "name", "pk")
            )
        queryset = self
        for word in text.split():
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(description__icontains=word) | Q(search_terms__icontains=word)
            )
        return queryset


class Capability(models.Model):
    """One facility or service a provider offers: a listing in the catalogue."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="capabilities")
    external_id = models.CharField(
        "identifier",
        max_length=100,
        validators=[validate_external_id],
        help_text="A short stable identifier, unique within your organisation (the 'id' in import files), "
        "e.g. 'bff-2'.",
    )
    name = models.CharField(max_length=200, validators=[validate_single_line])
    platform = models.CharField(
        max_length=200, blank=True, help_text="Where it flies, e.g. 'ISS (EXPRESS rack)' or 'free-flyer'."
    )
    status = models.CharField(max_length=20, choices=CapabilityStatus.choices, default=CapabilityStatus.OPERATIONAL)
    categories = ChoiceListField(item_choices=Category.choices, blank=False, help_text="Choose at least one.")
    research_areas = ChoiceListField(item_choices=ResearchArea.choices, verbose_name="research areas")
    description = models.TextField(blank=True, max_length=20000)
    search_terms = models.TextField(
        blank=True,
        editable=False,
        default="",
        help_text="Kept by save(): the provider, platform, category and research area words the search reads.",
    )

    temperature_min_c = models.FloatField(
        "lowest temperature (°C)",
        null=True,
        blank=True,
        validators=[MinValueValidator(TEMPERATURE_BOUNDS[0]), MaxValueValidator(TEMPERATURE_BOUNDS[1])],
    )
    temperature_max_c = models.FloatField(
        "highest temperature (°C)",
        null=True,
        blank=True,
        validators=[MinValueValidator(TEMPERATURE_BOUNDS[0]), MaxValueValidator(TEMPERATURE_BOUNDS[1])],
    )
    co2_control = models.BooleanField("CO₂ control", null=True, blank=True)
    humidity_control = models.BooleanField(null=True, blank=True)
    capacity_units = models.PositiveIntegerField(
        "capacity (experiment units)", null=True, blank=True, help_text="How many experiment units fit at once."
    )
    max_duration_days = models.FloatField(
        "maximum duration (days)",
        null=True,
        blank=True,
        validators=[validate_positive, MaxValueValidator(DURATION_MAX_DAYS)],
    )
    power_w = models.FloatField("power (W)", null=True, blank=True, validators=[MinValueValidator(0)])
    crew_time = models.CharField(
        "crew time needed",
        max_length=10,
        choices=CrewTime.choices,
        blank=True,
        help_text="The least crew involvement the facility demands.",
    )
    imaging = models.BooleanField(null=True, blank=True)
    variable_gravity_min_g = models.FloatField(
        "lowest gravity (g)",
        null=True,
        blank=True,
        validators=[MinValueValidator(GRAVITY_BOUNDS[0]), MaxValueValidator(GRAVITY_BOUNDS[1])],
    )
    variable_gravity_max_g = models.FloatField(
        "highest gravity (g)",
        null=True,
        blank=True,
        validators=[MinValueValidator(GRAVITY_BOUNDS[0]), MaxValueValidator(GRAVITY_BOUNDS[1])],
    )
    sample_return = models.BooleanField(null=True, blank=True)
    cold_stowage_c = models.JSONField(
        "cold stowage temperatures (°C)",
        null=True,
        blank=True,
        validators=[validate_cold_stowage],
        help_text="Temperatures samples can be kept at; an empty list states there is none.",
    )
    biosafety_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    first_flight_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(FLIGHT_YEAR_BOUNDS[0]), MaxValueValidator(FLIGHT_YEAR_BOUNDS[1])],
    )
    availability_stated = models.BooleanField(
        default=False,
        help_text="Whether the provider publishes availability windows (an empty set then means no open slots).",
    )

    sources = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_sources],
        help_text="Public sources of the facts: web addresses, optionally followed by a note.",
    )
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    publication = models.CharField(max_length=20, choices=PublicationState.choices, default=PublicationState.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_confirmed = models.DateField(
        null=True, blank=True, help_text="When the provider last confirmed the listing is current."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = CapabilityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "capabilities"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                name="capability_external_id_unique",
                violation_error_message="Your organisation already has a listing with this identifier; choose another.",
            ),
            models.CheckConstraint(
                condition=~Q(categories=[]),
                name="capability_has_category",
                violation_error_message="Choose at least one category.",
            ),
            models.CheckConstraint(condition=Q(status__in=CapabilityStatus.values), name="capability_status_valid"),
            models.CheckConstraint(
                condition=Q(publication__in=PublicationState.values), name="capability_publication_valid"
            ),
            models.CheckConstraint(condition=Q(crew_time__in=["", *CrewTime.values]), name="capability_crew_valid"),
            models.CheckConstraint(
                condition=Q(confidence__in=["", *Confidence.values]), name="capability_confidence_valid"
            ),
            models.CheckConstraint(
                condition=pair_q("temperature_min_c", "temperature_max_c"),
                name="capability_temperature_range",
                violation_error_message="Give both ends of the temperature range (lowest at most highest), or neither.",
            ),
            models.CheckConstraint(
                condition=range_q("temperature_min_c", *TEMPERATURE_BOUNDS)
                & range_q("temperature_max_c", *TEMPERATURE_BOUNDS),
                name="capability_temperature_bounds",
                violation_error_message="Temperatures must lie between -273.15 and 200 °C.",
            ),
            models.CheckConstraint(
                condition=pair_q("variable_gravity_min_g", "variable_gravity_max_g"),
                name="capability_gravity_range",
                violation_error_message="Give both ends of the gravity range (lowest at most highest), or neither.",
            ),
            models.CheckConstraint(
                condition=range_q("variable_gravity_min_g", *GRAVITY_BOUNDS)
                & range_q("variable_gravity_max_g", *GRAVITY_BOUNDS),
                name="capability_gravity_bounds",
                violation_error_message="Gravity levels must lie between 0 and 100 g.",
            ),
            models.CheckConstraint(
                condition=Q(capacity_units__isnull=True) | Q(capacity_units__gte=0),
                name="capability_capacity",
                violation_error_message="The capacity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(max_duration_days__isnull=True)
                | Q(max_duration_days__gt=0, max_duration_days__lte=DURATION_MAX_DAYS),
                name="capability_duration_positive",
                violation_error_message="The maximum duration must be more than 0 and at most 36500 days.",
            ),
            models.CheckConstraint(
                condition=Q(power_w__isnull=True) | Q(power_w__gte=0),
                name="capability_power",
                violation_error_message="The power cannot be negative.",
            ),
            models.CheckConstraint(
                condition=range_q("biosafety_level", 1, 4),
                name="capability_biosafety",
                violation_error_message="The biosafety level is 1, 2, 3 or 4.",
            ),
            models.CheckConstraint(
                condition=range_q("first_flight_year", *FLIGHT_YEAR_BOUNDS),
                name="capability_first_flight",
                violation_error_message="The first flight year must lie between 1950 and 2100.",
            ),
            models.CheckConstraint(
                condition=Q(publication=PublicationState.DRAFT) | Q(published_at__isnull=False),
                name="capability_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "organisation"], name="capability_publication"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_terms = search_terms_of(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_terms"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("partners:capability", kwargs={"public_id": self.public_id})

    def search_terms_under(self, organisation_name: str) -> str:
        """The search terms this listing would have under another name of its provider (before a rename is saved)."""
        return search_terms_of(self, organisation_name=organisation_name)

    def get_manage_url(self):
        return reverse("partners:listing", kwargs={"public_id": self.public_id})

    def clean(self):
        """Range checks with messages next to the field to fix (the constraints below enforce the same)."""
        super().clean()
        errors = {}
        for low, high, what in RANGE_PAIRS:
            low_value, high_value = getattr(self, low), getattr(self, high)
            if (low_value is None) != (high_value is None):
                missing = low if low_value is None else high
                errors[missing] = f"Give both ends of the {what} range, or leave both empty if not stated."
            elif low_value is not None and low_value > high_value:
                errors[high] = f"The highest {what} must be at least the lowest ({low_value:g})."
        if self.cold_stowage_c is not None:
            try:
                validate_cold_stowage(self.cold_stowage_c)
            except ValidationError as error:
                errors["cold_stowage_c"] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self):
        return self.publication == PublicationState.PUBLISHED

    @property
    def is_public(self):
        return self.is_published and self.organisation.verified

    def windows(self):
        """Availability windows in date order (uses the prefetch when there is one)."""
        return sorted(self.availability_windows.all(), key=lambda window: (window.start, window.end))

    def to_interchange(self) -> dict:
        """This listing as one item of ``leoportal.capabilities/1`` (None = not stated), plus its sources."""
        windows = self.windows()
        return {
            "id": self.external_id,
            "name": self.name,
            "provider": self.organisation.name,
            "platform": self.platform or None,
            "status": self.status,
            "categories": list(self.categories),
            "research_areas": list(self.research_areas),
            "description": self.description or None,
            "temperature_c": _range(self.temperature_min_c, self.temperature_max_c),
            "co2_control": self.co2_control,
            "humidity_control": self.humidity_control,
            "capacity_units": self.capacity_units,
            "max_duration_days": _number(self.max_duration_days),
            "power_w": _number(self.power_w),
            "crew_time": self.crew_time or None,
            "imaging": self.imaging,
            "variable_gravity_g": _range(self.variable_gravity_min_g, self.variable_gravity_max_g),
            "sample_return": self.sample_return,
            "cold_stowage_c": None if self.cold_stowage_c is None else [_number(t) for t in self.cold_stowage_c],
            "biosafety_level": self.biosafety_level,
            "first_flight_year": self.first_flight_year,
            "availability": (
                [{"start": w.start.isoformat(), "end": w.end.isoformat()} for w in windows]
                if self.availability_stated
                else None
            ),
            "sources": list(self.sources),
        }


def _number(value):
    """Whole numbers as JSON integers (37 rather than 37.0), so an export reads like what was imported."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _range(low, high):
    if low is None or high is None:
        return None
    return {"min": _number(low), "max": _number(high)}


class AvailabilityWindow(models.Model):
    """A published date range in which the facility can take an experiment."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="availability_windows")
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lte=models.F("end")),
                name="availability_window_ordered",
                violation_error_message="A window must end on or after the day it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"
