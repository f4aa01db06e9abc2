"""Calls for proposals (research announcements), created by program staff in the admin."""

import uuid
from datetime import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from leoportal.fields import ChoiceListField
from leoportal.text import validate_single_line
from partners.enums import ResearchArea
from projects.enums import CallState, Stage


class CallQuerySet(models.QuerySet):
    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def upcoming(self, now=None):
        return self.filter(opens_at__gt=now or timezone.now())

    def closed(self, now=None):
        return self.filter(closes_at__lte=now or timezone.now())

    def not_closed(self, now=None):
        """Open or upcoming: the calls a researcher can still submit to (a concept, or an invited full proposal)."""
        return self.filter(closes_at__gt=now or timezone.now())

    def startable(self, now=None):
        """The calls a researcher can start a draft for: open or upcoming, and for a call with a concept step,
        before its concept deadline (after it, only invited teams write full proposals)."""
        now = now or timezone.now()
        return self.not_closed(now).filter(Q(concept_step=False) | Q(concept_closes_at__gt=now))


class Call(models.Model):
    """A call for proposals: what it funds and when it accepts submissions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        max_length=40,
        unique=True,
        help_text="The announcement's code, e.g. NLRA 2027-1.",
        validators=[validate_single_line],
    )
    title = models.CharField(max_length=200, validators=[validate_single_line])
    description = models.TextField(
        help_text="Scope, eligibility and what the call funds. Plain text; blank lines separate paragraphs."
    )
    research_areas = ChoiceListField(
        item_choices=ResearchArea.choices,
        verbose_name="research focus",
        help_text="The research areas the call is looking for (none: any area).",
    )
    opens_at = models.DateTimeField("opens")
    closes_at = models.DateTimeField("closes", help_text="The submission deadline.")
    concept_step = models.BooleanField(
        "concept summary first",
        default=False,
        help_text="A short concept summary precedes an invited full proposal.",
    )
    concept_closes_at = models.DateTimeField(
        "concept deadline",
        null=True,
        blank=True,
        help_text="With a concept step: the deadline for concept summaries (before the full-proposal deadline).",
    )
    funding_cap = models.DecimalField(
        "funding cap (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="The most a single proposal may request; blank for no stated cap.",
    )
    reviewers_per_proposal = models.PositiveSmallIntegerField(
        "reviewers per proposal",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="How many panel reviewers each proposal gets.",
    )
    max_reviews_per_reviewer = models.PositiveSmallIntegerField(
        "most proposals per reviewer",
        default=8,
        validators=[MinValueValidator(1)],
        help_text="No reviewer on the panel is assigned more proposals of this call than this.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["closes_at", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opening",
                violation_error_message="The call must close after it opens.",
            ),
            models.CheckConstraint(
                condition=Q(concept_step=False, concept_closes_at__isnull=True)
                | Q(
                    concept_step=True,
                    concept_closes_at__isnull=False,
                    concept_closes_at__gt=models.F("opens_at"),
                    concept_closes_at__lt=models.F("closes_at"),
                ),
                name="call_concept_deadline_within",
                violation_error_message="A call with a concept step needs a concept deadline after it opens and "
                "before the full-proposal deadline (and a call without one, no concept deadline).",
            ),
            models.CheckConstraint(
                condition=Q(funding_cap__isnull=True) | Q(funding_cap__gte=0),
                name="call_funding_cap_not_negative",
                violation_error_message="The funding cap cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(reviewers_per_proposal__gte=1, max_reviews_per_reviewer__gte=1),
                name="call_panel_numbers_positive",
                violation_error_message="Reviewers per proposal and the most proposals per reviewer are at least 1.",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.title}"

    def get_absolute_url(self):
        return reverse("projects:call_detail", args=[self.public_id])

    def deadlines(self) -> list[tuple[Stage, datetime]]:
        """Each stage's deadline, in order: the concept deadline first when the call has a concept step."""
        if self.concept_step:
            return [(Stage.CONCEPT, self.concept_closes_at), (Stage.FULL, self.closes_at)]
        return [(Stage.FULL, self.closes_at)]

    def deadline_for(self, stage: Stage):
        return self.concept_closes_at if stage == Stage.CONCEPT and self.concept_step else self.closes_at

    @property
    def first_stage(self) -> Stage:
        """The stage a new draft starts at."""
        return Stage.CONCEPT if self.concept_step else Stage.FULL

    def takes_new_drafts(self, now=None) -> bool:
        now = now or timezone.now()
        return now < (self.concept_closes_at if self.concept_step else self.closes_at)

    def state(self, now=None) -> CallState:
        now = now or timezone.now()
        if now < self.opens_at:
            return CallState.UPCOMING
        if now < self.closes_at:
            return CallState.OPEN
        return CallState.CLOSED

    @property
    def is_open(self) -> bool:
        return self.state() == CallState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state() == CallState.CLOSED

    def get_research_areas_display(self) -> list[str]:
        labels = dict(ResearchArea.choices)
        return [labels.get(value, value) for value in self.research_areas]
