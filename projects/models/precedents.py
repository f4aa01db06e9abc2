"""Flight precedents: experiments that flew (or are manifested) and the listings that flew them.

Two origins. *Curated* precedents are real flights from public sources, imported from a ``leoportal.precedents/1``
file (projects/data/flown-experiments.json). *Portal* precedents are outcomes on this portal: program staff record
that an introduced proposal flew, or is manifested, on one of the provider's listings (projects/domain/precedents.py,
``record_flight``). A portal precedent copies the proposal's text because matching compares text, so it is as
confidential as the proposal: staff see it in the admin, and everything shown to anyone else names it only as "a
similar proposal on this portal".

The fields are those of a precedents-interchange item, with the proposals' vocabularies and conventions: blank or
null means "not stated", never "no". Constraints keep every row exportable as a valid item (lengths, ranges,
vocabularies of the text fields; the list fields are checked by the model and the importer).
"""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from leoportal.fields import ChoiceListField
from leoportal.models.constraints import choice_q, range_q
from partners.enums import Category, Confidence, CrewTime, ResearchArea
from partners.models import Capability
from partners.models.validation import validate_sources
from projects.enums import FlightStatus, PrecedentOrigin, SampleType

if TYPE_CHECKING:
    from leoportal.models import User

# The bounds of leoportal.precedents/1 (leoportal/interchange/schemas/precedents.schema.json).
PRECEDENT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,99}$"
PRECEDENT_YEARS = (1981, 2030)
PRECEDENT_MAX_DAYS = Decimal("3650")
TITLE_LENGTHS = (5, 300)
SUMMARY_LENGTHS = (40, 2000)

validate_precedent_id = RegexValidator(
    PRECEDENT_ID_PATTERN,
    "Use 1 to 100 lower-case letters, digits and hyphens, starting with a letter or digit.",
)


class PrecedentQuerySet(models.QuerySet):
    def curated(self):
        return self.filter(origin=PrecedentOrigin.CURATED)

    def portal(self):
        return self.filter(origin=PrecedentOrigin.PORTAL)

    def with_listings(self):
        """With the listings that flew each one (and their organisations) loaded in one more query."""
        listings = Capability.objects.select_related("organisation").order_by("external_id", "pk")
        return self.prefetch_related(Prefetch("listings", queryset=listings))


class Precedent(models.Model):
    external_id = models.CharField(
        "identifier",
        max_length=100,
        unique=True,
        validators=[validate_precedent_id],
        help_text="The stable id of the precedent (the 'id' in precedents files), e.g. 'bff-meniscus-2023'.",
    )
    title = models.CharField(max_length=TITLE_LENGTHS[1], validators=[MinLengthValidator(TITLE_LENGTHS[0])])
    summary = models.TextField(
        max_length=SUMMARY_LENGTHS[1],
        validators=[MinLengthValidator(SUMMARY_LENGTHS[0])],
        help_text="What the experiment did and needed, in 40 to 2,000 characters; no hardware, provider or mission "
        "names, so matching learns from the science and the needs.",
    )
    research_areas = ChoiceListField(
        item_choices=ResearchArea.choices, blank=False, verbose_name="research areas", help_text="At least one."
    )
    sample_type = models.CharField(max_length=30, blank=True, choices=SampleType.choices)
    needs = ChoiceListField(item_choices=Category.choices, verbose_name="hardware needed")
    crew_time = models.CharField("crew time", max_length=10, blank=True, choices=CrewTime.choices)
    duration_days = models.DecimalField(
        "days on orbit",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(PRECEDENT_MAX_DAYS)],
    )
    sample_return = models.BooleanField("sample return", null=True, blank=True)
    variable_gravity = models.BooleanField("on-orbit centrifuge", null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(PRECEDENT_YEARS[0]), MaxValueValidator(PRECEDENT_YEARS[1])],
        help_text="The year of the (first) flight; for a manifested one, the year it is planned for.",
    )
    team = models.CharField(
        max_length=300, blank=True, help_text="The lead institution or company, as public sources name it."
    )
    sources = models.JSONField(
        default=list,
        validators=[validate_sources],
        help_text="Where the facts come from: at least one citation (a web address or a reference).",
    )
    confidence = models.CharField(
        max_length=10,
        choices=Confidence.choices,
        help_text="How surely the sources tie this experiment to these listings.",
    )
    origin = models.CharField(
        max_length=10,
        choices=PrecedentOrigin.choices,
        default=PrecedentOrigin.CURATED,
        help_text="Curated: a real flight from public sources, imported from a file. Portal: a flight program staff "
        "recorded from an introduction; its text is the proposal's and stays confidential.",
    )
    flight_status = models.CharField("flight", max_length=12, choices=FlightStatus.choices, default=FlightStatus.FLOWN)
    listings = models.ManyToManyField(
        "partners.Capability",
        related_name="precedents",
        verbose_name="listings that flew it",
        help_text="The catalogue listings the experiment flew on (a retired listing stays a valid precedent).",
    )

    # A portal precedent's record: the proposal it copies, the introduction it was recorded from, and by whom.
    proposal = models.ForeignKey(
        "projects.Proposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="precedents",
        help_text="For a flight recorded on the portal: the proposal that flew.",
    )
    introduction = models.ForeignKey(
        "projects.Introduction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="precedents",
        help_text="The introduction the flight was recorded from.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="recorded by",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField("last change", auto_now=True)

    history = HistoricalRecords(m2m_fields=[listings], excluded_fields=["updated_at"])
    # Set before a save; django-simple-history writes them into the history row (declared for the type checker).
    _change_reason: str
    _history_user: "User | None"
    objects = PrecedentQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(external_id__regex=PRECEDENT_ID_PATTERN),
                name="precedent_external_id_format",
                violation_error_message="An identifier is 1 to 100 lower-case letters, digits and hyphens.",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("title"), TITLE_LENGTHS[0]),
                name="precedent_title_length",
                violation_error_message=f"A title has at least {TITLE_LENGTHS[0]} characters.",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("summary"), SUMMARY_LENGTHS[0]),
                name="precedent_summary_length",
                violation_error_message=f"A summary has at least {SUMMARY_LENGTHS[0]} characters.",
            ),
            models.CheckConstraint(
                condition=~Q(research_areas=[]),
                name="precedent_has_research_area",
                violation_error_message="Choose at least one research area.",
            ),
            models.CheckConstraint(
                condition=~Q(sources=[]),
                name="precedent_has_source",
                violation_error_message="Give at least one source.",
            ),
            models.CheckConstraint(
                condition=choice_q("sample_type", SampleType.values), name="precedent_sample_type_valid"
            ),
            models.CheckConstraint(condition=choice_q("crew_time", CrewTime.values), name="precedent_crew_time_valid"),
            models.CheckConstraint(
                condition=choice_q("confidence", Confidence.values, blank=False), name="precedent_confidence_valid"
            ),
            models.CheckConstraint(
                condition=choice_q("origin", PrecedentOrigin.values, blank=False), name="precedent_origin_valid"
            ),
            models.CheckConstraint(
                condition=choice_q("flight_status", FlightStatus.values, blank=False),
                name="precedent_flight_status_valid",
            ),
            models.CheckConstraint(
                condition=range_q("duration_days", 0, PRECEDENT_MAX_DAYS),
                name="precedent_duration_range",
                violation_error_message="Days on orbit lie between 0 and 3,650.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=PRECEDENT_YEARS[0], year__lte=PRECEDENT_YEARS[1]),
                name="precedent_year_range",
                violation_error_message=f"The year lies between {PRECEDENT_YEARS[0]} and {PRECEDENT_YEARS[1]}.",
            ),
            models.CheckConstraint(
                condition=Q(origin=PrecedentOrigin.CURATED, proposal__isnull=True)
                | Q(origin=PrecedentOrigin.PORTAL, proposal__isnull=False),
                name="precedent_portal_has_proposal",
                violation_error_message="A portal precedent comes from a proposal; a curated one from none.",
            ),
            models.CheckConstraint(
                condition=Q(origin=PrecedentOrigin.PORTAL) | Q(flight_status=FlightStatus.FLOWN),
                name="precedent_curated_flew",
                violation_error_message="A curated precedent is a flight that happened.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_admin_url(self):
        return reverse("admin:projects_precedent_change", args=[self.pk])

    @property
    def is_portal(self) -> bool:
        return self.origin == PrecedentOrigin.PORTAL

    def get_research_areas_display(self) -> list[str]:
        labels = dict(ResearchArea.choices)
        return [labels.get(value, value) for value in self.research_areas]

    def get_needs_display(self) -> list[str]:
        labels = dict(Category.choices)
        return [labels.get(value, value) for value in self.needs]

    def to_interchange(self) -> dict:
        """This precedent as one item of a leoportal.precedents/1 document (None = not stated). The listings'
        ids are sorted (the order of a file's facilities is not kept)."""
        item = {
            "id": self.external_id,
            "title": self.title,
            "summary": self.summary,
            "research_areas": list(self.research_areas),
            "sample_type": self.sample_type or None,
            "needs": list(self.needs),
            "crew_time": self.crew_time or None,
            "duration_days": _number(self.duration_days),
            "sample_return": self.sample_return,
            "variable_gravity": self.variable_gravity,
            "facilities": sorted({listing.external_id for listing in self.listings.all()}),
            "year": self.year,
        }
        if self.team:
            item["team"] = self.team
        item["sources"] = list(self.sources)
        item["confidence"] = self.confidence
        return item


def _number(value: Decimal | None) -> int | float | None:
    """A stored decimal as a JSON number: 30 rather than 30.00, 1.3 rather than "1.30"."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
