"""Review panels: external reviewers invited to a call, their expertise, and their assignments to proposals.

A reviewer is a person on a call's panel (PanelMember), joined through an e-mailed invitation (ReviewerInvitation:
once, expiring, for the invited address, like co-investigator invitations). Their expertise (ReviewerProfile) feeds
the suggested assignments. A reviewer sees a proposal only while a ReviewAssignment links them to it. A call reviews
in rounds (ReviewRound: "Concept screening", then "Full proposal review"), each open between two dates; an
assignment belongs to one round, whose close is its due date.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from leoportal.fields import ChoiceListField
from leoportal.text import validate_single_line
from partners.enums import ResearchArea
from projects.enums import AssignmentSource


class ReviewerProfile(models.Model):
    """What a reviewer knows: research areas, keywords and a short bio (their organisation is the account's)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile")
    research_areas = ChoiceListField(
        item_choices=ResearchArea.choices, verbose_name="research areas", help_text="The areas you can judge."
    )
    keywords = models.CharField(
        max_length=500, blank=True, help_text="Methods and subjects you know well, separated by commas."
    )
    bio = models.TextField("short bio", blank=True, max_length=2000)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Expertise of {self.user}"

    def get_research_areas_display(self) -> list[str]:
        labels = dict(ResearchArea.choices)
        return [labels.get(value, value) for value in self.research_areas]

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class PanelMember(models.Model):
    """A reviewer on a call's panel."""

    call = models.ForeignKey("projects.Call", on_delete=models.CASCADE, related_name="panel")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panels")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["call", "joined_at", "id"]
        verbose_name = "panel member"
        constraints = [
            models.UniqueConstraint(
                fields=["call", "reviewer"],
                name="panel_member_once_per_call",
                violation_error_message="This reviewer is already on the call's panel.",
            )
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.call.code}"


class ReviewerInvitation(models.Model):
    """An e-mailed link that puts a reviewer on a call's panel. It expires and works once; the row keeps only the
    token's SHA-256, written by the task that sends it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey("projects.Call", on_delete=models.CASCADE, related_name="reviewer_invitations")
    email = models.EmailField("sent to")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "reviewer invitation"
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"], condition=~Q(token_hash=""), name="reviewer_invitation_token_unique"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="reviewer_invitation_expires_after_creation"
            ),
        ]

    def __str__(self):
        return f"Reviewer invitation for {self.email} ({self.call.code})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and timezone.now() < self.expires_at


class ReviewRound(models.Model):
    """A period in which a call's panel reviews: reviews can be submitted from ``opens_at`` and are due at
    ``closes_at`` (late ones are still accepted, and show as overdue). A call's rounds follow one another without
    overlapping; that rule needs the other rounds, so ``clean`` checks it (and the admin's inline, all rounds at
    once) rather than the database, which would need PostgreSQL's exclusion constraints."""

    call = models.ForeignKey("projects.Call", on_delete=models.CASCADE, related_name="review_rounds")
    name = models.CharField(
        max_length=100,
        validators=[validate_single_line],
        help_text="What the panel does in this round, e.g. Concept screening or Full proposal review.",
    )
    opens_at = models.DateTimeField("opens", help_text="From when reviewers can submit their reviews.")
    closes_at = models.DateTimeField(
        "reviews due", help_text="When this round's reviews are due; one still open after it reminds its reviewer once."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["opens_at", "id"]
        verbose_name = "review round"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="review_round_closes_after_opening",
                violation_error_message="A review round must close after it opens: set its due date later than its "
                "opening.",
            ),
            models.UniqueConstraint(
                fields=["call", "name"],
                name="review_round_name_once_per_call",
                violation_error_message="The call already has a review round of this name: give each round its own.",
            ),
        ]

    def __str__(self):
        return self.name

    def overlap_with(self, others) -> str | None:
        """Why this round cannot sit beside ``others`` (rounds of the same call), or None. Rounds may touch: one
        can open the moment the previous one closes."""
        if self.opens_at is None or self.closes_at is None:
            return None
        for other in others:
            if other.opens_at < self.closes_at and self.opens_at < other.closes_at:
                return (
                    f"“{self.name}” overlaps “{other.name}” ({other.opens_at:%-d %b %Y, %H:%M} to "
                    f"{other.closes_at:%-d %b %Y, %H:%M} UTC): a call's review rounds follow one another, so let "
                    "one open when the other closes or later."
                )
        return None

    def clean(self):
        super().clean()
        if getattr(self, "_checked_with_siblings", False) or self.call_id is None:
            return  # the admin's inline checks all the call's rounds together, as they are about to be saved
        problem = self.overlap_with(ReviewRound.objects.filter(call_id=self.call_id).exclude(pk=self.pk))
        if problem:
            raise ValidationError(problem)


class ReviewAssignment(models.Model):
    """A reviewer is asked to review a proposal. While the row exists they see the proposal; removing it (staff
    unassign, or the reviewer declares a conflict) takes the proposal out of their sight."""

    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=AssignmentSource.choices, default=AssignmentSource.STAFF)
    reason = models.CharField(
        max_length=300, blank=True, help_text="Why this reviewer was suggested, when the assignment was suggested."
    )
    # PROTECT: a round's close is the due date of its assignments, so a round holding assignments is not deleted
    # (its dates are changed instead); with SET_NULL, deleting one would silently leave its reviews without a due date.
    round = models.ForeignKey(
        ReviewRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        help_text="The review round the assignment belongs to; its close is the due date (none: no due date).",
    )

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = "review assignment"
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"],
                name="assignment_once_per_reviewer",
                violation_error_message="This reviewer is already assigned to this proposal.",
            ),
            models.CheckConstraint(condition=Q(source__in=AssignmentSource.values), name="assignment_source_valid"),
        ]

    def __str__(self):
        return f"{self.reviewer} reviews {self.proposal}"

    @property
    def due_at(self):
        return self.round.closes_at if self.round_id else None


class SuggestedAssignment(models.Model):
    """A reviewer the suggestion job proposes for a proposal, with why. Replaced by each run for the call; removed
    when staff accept it (it becomes a ReviewAssignment)."""

    call = models.ForeignKey("projects.Call", on_delete=models.CASCADE, related_name="suggested_assignments")
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    affinity = models.FloatField()
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal_id", "-affinity", "reviewer_id"]
        verbose_name = "suggested assignment"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="suggestion_once_per_pair"),
        ]

    def __str__(self):
        return f"Suggest {self.reviewer} for {self.proposal}"
