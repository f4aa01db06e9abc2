"""The proposal's team as the PI lists it, and the invitations that let co-investigators in."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from leoportal.models.constraints import choice_q
from leoportal.text import validate_single_line
from projects.enums import Access, CoInvestigatorRole


class CoInvestigator(models.Model):
    """A member of the proposal's team as the PI describes them; ``user`` is set once they accept an invitation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="co_investigators")
    name = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    email = models.EmailField("e-mail address", blank=True)
    organisation = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    role = models.CharField(max_length=30, blank=True, choices=CoInvestigatorRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="co_investigations",
        help_text="The account that accepted this co-investigator's invitation.",
    )
    access = models.CharField(max_length=10, blank=True, choices=Access.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "co-investigator"
        constraints = [
            models.CheckConstraint(condition=choice_q("role", CoInvestigatorRole.values), name="coi_role_valid"),
            models.CheckConstraint(condition=choice_q("access", Access.values), name="coi_access_valid"),
            models.CheckConstraint(
                condition=Q(user__isnull=True, access="") | Q(user__isnull=False, access__in=Access.values),
                name="coi_access_with_account",
                violation_error_message="Access rights belong to a co-investigator who has joined with an account.",
            ),
            models.UniqueConstraint(
                fields=["proposal", "user"],
                condition=Q(user__isnull=False),
                name="coi_one_row_per_account",
                violation_error_message="This account is already on the proposal's team.",
            ),
            models.UniqueConstraint(
                "proposal",
                Lower("email"),
                condition=~Q(email=""),
                name="coi_email_unique_per_proposal",
                violation_error_message="Each co-investigator needs their own e-mail address.",
            ),
        ]

    def __str__(self):
        return self.name or self.email or "Co-investigator"


class Invitation(models.Model):
    """An e-mailed link that lets a co-investigator join the proposal's team. It expires and works once.

    The link's token exists only in the e-mail: the row keeps its SHA-256, written by the task that sends it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    co_investigator = models.ForeignKey(CoInvestigator, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("sent to")
    access = models.CharField(max_length=10, choices=Access.choices)
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
        constraints = [
            models.CheckConstraint(condition=Q(access__in=Access.values), name="invitation_access_valid"),
            models.UniqueConstraint(fields=["token_hash"], condition=~Q(token_hash=""), name="invitation_token_unique"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_after_creation"
            ),
        ]

    def __str__(self):
        return f"Invitation for {self.email} ({self.get_access_display()})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and timezone.now() < self.expires_at
