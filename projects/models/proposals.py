"""Proposals: every fact the matcher reads is a real column with a database constraint.

Drafts may leave anything blank: the constraints allow nulls, and completeness is checked when the proposal is
submitted (projects/domain/submission.py).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from leoportal.fields import ChoiceListField
from leoportal.models.constraints import choice_q, pair_q, range_q
from leoportal.text import validate_single_line
from partners.enums import Category, CrewTime, ResearchArea
from projects.enums import ProposalStatus, SampleType, Stage, TechnologyReadinessLevel
from projects.matching import ProposalNeeds
from projects.models.calls import Call
from projects.models.proposal_access import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    ProposalQuerySet,
)

# The proposal's flight requirements: the facts the matcher compares with a listing's envelope. A change to any of
# them changes the proposal's matches (the matching issue queues rescoring from projects.domain.proposals.save_draft).
FLIGHT_REQUIREMENT_FIELDS = (
    "sample_type",
    "needs",
    "temperature_min_c",
    "temperature_max_c",
    "co2",
    "humidity",
    "units_needed",
    "duration_days",
    "power_w",
    "crew_time",
    "imaging",
    "variable_gravity",
    "sample_return",
    "return_temperature_c",
    "biosafety_level",
    "launch_earliest",
    "launch_latest",
)
# Everything Proposal.to_interchange() exports, i.e. everything the matcher reads (text relevance and research-area
# fit come from these too).
MATCHER_FIELDS = ("title", "summary", "why_microgravity", "research_areas", *FLIGHT_REQUIREMENT_FIELDS)

UEI_PATTERN = r"^[A-Z0-9]{12}$"
CAGE_PATTERN = r"^[A-Z0-9]{5}$"
ABSOLUTE_ZERO = Decimal("-273.15")
MAX_HOLD_TEMPERATURE = Decimal("200")
MAX_RETURN_TEMPERATURE = Decimal("50")
MAX_DURATION_DAYS = Decimal("36500")


class Proposal(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(
        max_length=100,
        blank=True,
        help_text="The id this proposal had in an imported leoportal.proposals/1 document.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name="principal investigator",
    )
    call = models.ForeignKey(
        Call,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        help_text="The call this proposal answers; blank for an unsolicited proposal.",
    )
    status = models.CharField(max_length=30, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    stage = models.CharField(
        max_length=10,
        choices=Stage.choices,
        default=Stage.FULL,
        help_text="A concept summary (calls with a concept step) or a full proposal.",
    )

    # Overview
    title = models.CharField(
        max_length=300,
        blank=True,
        help_text="A short, specific title reviewers see first.",
        validators=[validate_single_line],
    )
    summary = models.TextField(
        blank=True,
        max_length=20000,
        help_text="A paragraph or two: what you will fly, what you will measure and what you expect to learn.",
    )
    objectives = models.TextField(
        blank=True, max_length=20000, help_text="The specific aims of the flight experiment, one per line."
    )

    # Team and eligibility
    organisation = models.CharField(
        max_length=200,
        blank=True,
        help_text="The U.S. entity the principal investigator works for.",
        validators=[validate_single_line],
    )
    uei = models.CharField(
        "UEI",
        max_length=12,
        blank=True,
        validators=[RegexValidator(UEI_PATTERN, "A UEI is 12 letters and digits, e.g. J7M9HPTGJ1S8.")],
        help_text="Your organisation's Unique Entity ID from SAM.gov: 12 letters and digits.",
    )
    cage_code = models.CharField(
        "CAGE code",
        max_length=5,
        blank=True,
        validators=[RegexValidator(CAGE_PATTERN, "A CAGE code is 5 letters and digits, e.g. 1ABC2.")],
        help_text="Optional: your organisation's CAGE code (5 characters), if it has one.",
    )
    attest_us_persons = models.BooleanField(
        "U.S. persons at U.S. entities",
        default=False,
        help_text="I confirm that the principal investigator and every co-principal investigator are U.S. persons "
        "at U.S. entities (others may take part as subcontractors).",
    )
    attest_export_control = models.BooleanField(
        "Export control",
        default=False,
        help_text="I understand that compliance with export control (EAR and ITAR) is the proposer's responsibility.",
    )

    # Science
    why_microgravity = models.TextField(
        "why microgravity",
        blank=True,
        max_length=20000,
        help_text="What changes in orbit that cannot be reproduced on Earth, and why your question needs it.",
    )
    earth_benefit = models.TextField(
        "Earth benefit",
        blank=True,
        max_length=20000,
        help_text="How the results help people on Earth: patients, industry, the emerging LEO economy.",
    )
    research_areas = ChoiceListField(item_choices=ResearchArea.choices, verbose_name="research areas")
    trl_current = models.PositiveSmallIntegerField(
        "current TRL",
        null=True,
        blank=True,
        choices=TechnologyReadinessLevel.choices,
        help_text="The technology readiness level today.",
    )
    trl_target = models.PositiveSmallIntegerField(
        "target TRL",
        null=True,
        blank=True,
        choices=TechnologyReadinessLevel.choices,
        help_text="The level you expect to reach by flight (reviewers look for TRL 6 or higher by flight).",
    )

    # Flight requirements: null means "not stated", never "no".
    sample_type = models.CharField(
        max_length=30, blank=True, choices=SampleType.choices, help_text="The main kind of sample that flies."
    )
    needs = ChoiceListField(
        item_choices=Category.choices,
        verbose_name="hardware needed",
        help_text="The kinds of hardware the experiment needs. Choose several if it needs more than one, for "
        "example a bioprinter and a culture facility.",
    )
    hardware_unsure = models.BooleanField(
        "not sure yet, ask staff",
        default=False,
        help_text="Tick this if you cannot yet say which kinds of hardware you need: program staff will help. "
        "Matching is weak until you state them.",
    )
    temperature_min_c = models.DecimalField(
        "minimum temperature (°C)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ABSOLUTE_ZERO), MaxValueValidator(MAX_HOLD_TEMPERATURE)],
    )
    temperature_max_c = models.DecimalField(
        "maximum temperature (°C)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ABSOLUTE_ZERO), MaxValueValidator(MAX_HOLD_TEMPERATURE)],
    )
    co2 = models.BooleanField("CO₂ control", null=True, blank=True)
    humidity = models.BooleanField("humidity control", null=True, blank=True)
    units_needed = models.PositiveIntegerField(
        "units needed",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Experiment units or replicates that fly.",
    )
    duration_days = models.DecimalField(
        "days on orbit",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_DURATION_DAYS)],
        help_text="Typical cell and tissue runs last 10 to 30 days; crystallization about 25.",
    )
    power_w = models.DecimalField(
        "power (W)",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="The power the experiment draws on orbit, in watts.",
    )
    crew_time = models.CharField(
        "crew time acceptable",
        max_length=10,
        blank=True,
        choices=CrewTime.choices,
        help_text="The most crew involvement the experiment can accept (or needs, for hands-on work).",
    )
    imaging = models.BooleanField("imaging on orbit", null=True, blank=True)
    variable_gravity = models.BooleanField("on-orbit centrifuge", null=True, blank=True)
    sample_return = models.BooleanField("sample return", null=True, blank=True)
    return_temperature_c = models.DecimalField(
        "return temperature (°C)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ABSOLUTE_ZERO), MaxValueValidator(MAX_RETURN_TEMPERATURE)],
        help_text="The temperature samples must come back at, e.g. 4 or -80.",
    )
    biosafety_level = models.PositiveSmallIntegerField(
        "biosafety level",
        null=True,
        blank=True,
        choices=[(level, f"BSL-{level}") for level in range(1, 5)],
        help_text="The highest biosafety level of the materials that fly.",
    )
    launch_earliest = models.DateField("earliest launch", null=True, blank=True)
    launch_latest = models.DateField("latest launch", null=True, blank=True)

    # Funding (U.S. dollars)
    amount_requested = models.DecimalField(
        "amount requested (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="A budget estimate is enough at this stage; transport to and from orbit is covered.",
    )
    matching_funds = models.DecimalField(
        "matching funds (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Funds your team or partners commit to the project.",
    )
    matching_funds_sources = models.TextField(
        "sources of matching funds",
        blank=True,
        max_length=5000,
        help_text="Who provides the matching funds: grants, company funds, in-kind support.",
    )

    # Audit
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField("last change", default=timezone.now, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField("first submitted", null=True, blank=True, editable=False)
    last_submitted_at = models.DateTimeField("last submitted", null=True, blank=True, editable=False)
    submission_count = models.PositiveSmallIntegerField(default=0, editable=False)

    # Matching: scoring is requested when the proposal is submitted or its facts change, and done by a task.
    match_requested_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the proposal last needed (re)scoring."
    )
    matched_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the stored matches were computed (the data they read)."
    )
    match_version = models.CharField(
        "matching algorithm", max_length=40, blank=True, editable=False, help_text="Algorithm of the stored matches."
    )

    history = HistoricalRecords(excluded_fields=["match_requested_at", "matched_at", "match_version"])
    # Set before a save; django-simple-history writes it into the history row (declared for the type checker).
    _change_reason: str
    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        # The review desk's indexes (latest submissions first, full text, title and organisation fragments) are
        # PostgreSQL's own and created by migration 0003 there only.
        indexes = [models.Index(fields=["status", "-updated_at"], name="proposal_status_updated")]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="proposal_external_id_unique",
                violation_error_message="Another proposal already has this external id.",
            ),
            models.CheckConstraint(
                condition=choice_q("status", ProposalStatus.values, blank=False), name="proposal_status_valid"
            ),
            models.CheckConstraint(condition=choice_q("stage", Stage.values, blank=False), name="proposal_stage_valid"),
            models.CheckConstraint(
                condition=~Q(stage=Stage.CONCEPT, status=ProposalStatus.INVITED),
                name="proposal_invited_to_full_stage",
                violation_error_message="An invited proposal is at the full-proposal stage.",
            ),
            models.CheckConstraint(
                condition=choice_q("sample_type", SampleType.values), name="proposal_sample_type_valid"
            ),
            models.CheckConstraint(condition=choice_q("crew_time", CrewTime.values), name="proposal_crew_time_valid"),
            models.CheckConstraint(
                condition=Q(uei="") | Q(uei__regex=UEI_PATTERN),
                name="proposal_uei_format",
                violation_error_message="A UEI is 12 letters and digits.",
            ),
            models.CheckConstraint(
                condition=Q(cage_code="") | Q(cage_code__regex=CAGE_PATTERN),
                name="proposal_cage_format",
                violation_error_message="A CAGE code is 5 letters and digits.",
            ),
            models.CheckConstraint(
                condition=range_q("trl_current", 1, 9) & range_q("trl_target", 1, 9),
                name="proposal_trl_range",
                violation_error_message="Technology readiness levels run from 1 to 9.",
            ),
            models.CheckConstraint(
                condition=Q(trl_current__isnull=True)
                | Q(trl_target__isnull=True)
                | Q(trl_target__gte=models.F("trl_current")),
                name="proposal_trl_target_not_below_current",
                violation_error_message="The target TRL must be at least the current TRL.",
            ),
            models.CheckConstraint(
                condition=pair_q("temperature_min_c", "temperature_max_c"),
                name="proposal_temperature_range",
                violation_error_message="Give both temperatures with the minimum not above the maximum, or neither.",
            ),
            models.CheckConstraint(
                condition=range_q("temperature_min_c", ABSOLUTE_ZERO, MAX_HOLD_TEMPERATURE)
                & range_q("temperature_max_c", ABSOLUTE_ZERO, MAX_HOLD_TEMPERATURE),
                name="proposal_temperature_physical",
                violation_error_message="Temperatures must lie between -273.15 °C and 200 °C.",
            ),
            models.CheckConstraint(
                condition=range_q("return_temperature_c", ABSOLUTE_ZERO, MAX_RETURN_TEMPERATURE),
                name="proposal_return_temperature_physical",
                violation_error_message="The return temperature must lie between -273.15 °C and 50 °C.",
            ),
            models.CheckConstraint(
                condition=Q(return_temperature_c__isnull=True) | ~Q(sample_return=False),
                name="proposal_return_temperature_needs_return",
                violation_error_message="A return temperature only applies when samples come back.",
            ),
            models.CheckConstraint(
                condition=Q(units_needed__isnull=True) | Q(units_needed__gte=1),
                name="proposal_units_needed_positive",
                violation_error_message="At least one unit is needed.",
            ),
            models.CheckConstraint(
                condition=Q(duration_days__isnull=True) | Q(duration_days__gt=0, duration_days__lte=MAX_DURATION_DAYS),
                name="proposal_duration_positive",
                violation_error_message="Days on orbit must be more than 0 (and at most 36,500).",
            ),
            models.CheckConstraint(
                condition=Q(power_w__isnull=True) | Q(power_w__gte=0),
                name="proposal_power_not_negative",
                violation_error_message="Power cannot be negative.",
            ),
            models.CheckConstraint(
                condition=range_q("biosafety_level", 1, 4),
                name="proposal_biosafety_level_range",
                violation_error_message="Biosafety levels run from 1 to 4.",
            ),
            models.CheckConstraint(
                condition=pair_q("launch_earliest", "launch_latest"),
                name="proposal_launch_window",
                violation_error_message="Give both launch dates with the earliest not after the latest, or neither.",
            ),
            models.CheckConstraint(
                condition=(Q(amount_requested__isnull=True) | Q(amount_requested__gte=0))
                & (Q(matching_funds__isnull=True) | Q(matching_funds__gte=0)),
                name="proposal_funding_not_negative",
                violation_error_message="Funding amounts cannot be negative.",
            ),
        ]

    def __str__(self):
        return self.title or "Untitled proposal"

    def get_absolute_url(self):
        return reverse("projects:proposal_detail", args=[self.public_id])

    @property
    def display_title(self) -> str:
        return self.title or "Untitled proposal"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def deadline(self):
        """The deadline of the stage the proposal is at (a concept's is the call's concept deadline)."""
        return self.call.deadline_for(self.stage) if self.call_id else None

    @property
    def is_concept(self) -> bool:
        return self.stage == Stage.CONCEPT

    def get_research_areas_display(self) -> list[str]:
        labels = dict(ResearchArea.choices)
        return [labels.get(value, value) for value in self.research_areas]

    def get_needs_display(self) -> list[str]:
        labels = dict(Category.choices)
        return [labels.get(value, value) for value in self.needs]

    @property
    def interchange_id(self) -> str:
        return self.external_id or str(self.public_id)

    @property
    def states_flight_requirements(self) -> bool:
        """Whether the matcher has a flight requirement to check: a kind of hardware or a stated fact."""
        return self.needs_of_matcher().states_requirements

    def needs_of_matcher(self) -> ProposalNeeds:
        """What the matching engine reads of this proposal."""
        item = self.to_interchange()
        item["id"] = str(self.public_id)
        return ProposalNeeds.from_interchange(item, ref=self.pk)

    def to_interchange(self) -> dict:
        """This proposal as one item of a leoportal.proposals/1 document (None = not stated)."""
        temperature = (
            {"min": _number(self.temperature_min_c), "max": _number(self.temperature_max_c)}
            if self.temperature_min_c is not None
            else None
        )
        launch_window = (
            {"earliest": self.launch_earliest.isoformat(), "latest": self.launch_latest.isoformat()}
            if self.launch_earliest is not None
            else None
        )
        return {
            "id": self.interchange_id,
            "stage": self.stage,
            "title": self.title,
            "summary": self.summary,
            "why_microgravity": self.why_microgravity or None,
            "research_areas": list(self.research_areas),
            "sample_type": self.sample_type or None,
            "needs": list(self.needs),
            "temperature_c": temperature,
            "co2": self.co2,
            "humidity": self.humidity,
            "units_needed": self.units_needed,
            "duration_days": _number(self.duration_days),
            "power_w": _number(self.power_w),
            "crew_time": self.crew_time or None,
            "imaging": self.imaging,
            "variable_gravity": self.variable_gravity,
            "sample_return": self.sample_return,
            "return_temperature_c": _number(self.return_temperature_c),
            "biosafety_level": self.biosafety_level,
            "launch_window": launch_window,
        }


def _number(value: Decimal | None) -> int | float | None:
    """A stored decimal as a JSON number: 21 rather than 21.00, 36.5 rather than "36.50"."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
