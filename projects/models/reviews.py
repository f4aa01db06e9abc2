"""Staff reviews of proposals: four criteria scored 1-5, the operations screen, a comment.

A reviewer has one row per proposal: a review (a draft until submitted, when every score must be there) or a
declared conflict of interest (then no scores). The
database holds both rules (one row per reviewer and proposal; scores present exactly when no conflict is
declared), so nothing written through the admin or a script can break them. Who may review what is decided in
projects/domain/reviews.py.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from leoportal.models.constraints import range_q
from projects.enums import OperationsScreen, ReviewScore

# The criteria, in the order reviewers see them (field name, label shown in tables).
REVIEW_CRITERIA = (
    ("scientific_merit", "Scientific merit"),
    ("need_for_microgravity", "Need for microgravity"),
    ("feasibility", "Feasibility"),
    ("value", "Earth and commercial value"),
)
CRITERIA_FIELDS = tuple(name for name, _label in REVIEW_CRITERIA)


def review_score_expression(prefix: str = ""):
    """A review's overall score (the mean of its criteria) as a database expression; null for a conflict."""
    total = sum((F(f"{prefix}{name}") for name in CRITERIA_FIELDS[1:]), F(f"{prefix}{CRITERIA_FIELDS[0]}"))
    return models.ExpressionWrapper(total / float(len(CRITERIA_FIELDS)), output_field=models.FloatField())


def _score_field(verbose_name: str, help_text: str):
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True, choices=ReviewScore.choices, help_text=help_text
    )


class ReviewQuerySet(models.QuerySet):
    def scored(self):
        """Submitted reviews with scores (declared conflicts and drafts left out)."""
        return self.filter(conflict_of_interest=False, submitted_at__isnull=False)

    def drafts(self):
        return self.filter(conflict_of_interest=False, submitted_at__isnull=True)


class Review(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    conflict_of_interest = models.BooleanField(
        "conflict of interest declared",
        default=False,
        help_text="The reviewer declared a conflict of interest and does not score this proposal.",
    )
    scientific_merit = _score_field("scientific merit", "Scientific and technical merit of the question and method.")
    need_for_microgravity = _score_field(
        "need for microgravity", "Why space: does the question need microgravity, and is that argued well?"
    )
    feasibility = _score_field("feasibility", "Can the team fly it as planned: hardware, timeline, readiness (TRL).")
    value = _score_field(
        "Earth and commercial value", "Benefit on Earth and value to the emerging low Earth orbit economy."
    )
    operations = models.CharField(
        "operations screen",
        max_length=4,
        blank=True,
        choices=OperationsScreen.choices,
        help_text="Flight feasibility as the operations screen sees it.",
    )
    comment = models.TextField(blank=True, max_length=10000)
    comment_released = models.BooleanField(
        "comment released to the team",
        default=False,
        help_text="Staff release a comment to quote it (unsigned) in the decision e-mail; the team never sees who "
        "wrote it.",
    )
    submitted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the review was submitted; empty while it is a draft."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    # Set before a save; django-simple-history writes it into the history row (declared for the type checker).
    _change_reason: str
    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"],
                name="review_one_per_reviewer",
                violation_error_message="This reviewer has already reviewed this proposal.",
            ),
            *(
                models.CheckConstraint(
                    condition=range_q(name, 1, 5),
                    name=f"review_{name}_1_to_5",
                    violation_error_message=f"{label} is scored from 1 to 5.",
                )
                for name, label in REVIEW_CRITERIA
            ),
            models.CheckConstraint(
                condition=Q(operations__in=["", *OperationsScreen.values]), name="review_operations_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        conflict_of_interest=True,
                        submitted_at__isnull=True,
                        operations="",
                        **{f"{name}__isnull": True for name in CRITERIA_FIELDS},
                    )
                    | Q(
                        conflict_of_interest=False,
                        submitted_at__isnull=False,
                        operations__in=OperationsScreen.values,
                        **{f"{name}__isnull": False for name in CRITERIA_FIELDS},
                    )
                    | Q(conflict_of_interest=False, submitted_at__isnull=True)
                ),
                name="review_scores_unless_conflict",
                violation_error_message="A submitted review scores every criterion and the operations screen; a draft "
                "may leave some out; a declared conflict of interest scores nothing.",
            ),
        ]

    def __str__(self):
        what = "conflict of interest" if self.conflict_of_interest else ("draft review" if self.is_draft else "review")
        return f"{what} of {self.proposal} by {self.reviewer}"

    @property
    def is_draft(self) -> bool:
        return not self.conflict_of_interest and self.submitted_at is None

    @property
    def overall(self) -> float | None:
        """The mean of the criteria (None for a declared conflict or a draft missing a score)."""
        scores = [getattr(self, name) for name in CRITERIA_FIELDS]
        if any(score is None for score in scores):
            return None
        return sum(scores) / len(scores)

    @property
    def scores(self) -> list[tuple[str, int | None]]:
        return [(label, getattr(self, name)) for name, label in REVIEW_CRITERIA]
