"""Provider organisations, their members and invitations."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from leoportal.text import validate_single_line
from partners.enums import (
    MembershipRole,
    PublicationState,
)


class OrganisationQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(verified=True)

    def for_member(self, user):
        """Organisations ``user`` belongs to (any role)."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(memberships__user=user)

    def administered_by(self, user):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(memberships__user=user, memberships__role=MembershipRole.ADMIN)

    def with_public_listings(self):
        """Verified organisations with at least one published listing: the providers the catalogue shows."""
        return self.verified().filter(capabilities__publication=PublicationState.PUBLISHED).distinct()


class Organisation(models.Model):
    """A provider (implementation partner). Its listings are public only once staff have verified it."""

    name = models.CharField(
        max_length=200, help_text="The organisation's name as researchers know it.", validators=[validate_single_line]
    )
    slug = models.SlugField(max_length=80, unique=True, help_text="Used in the organisation's web address.")
    website = models.URLField(blank=True, max_length=300)
    description = models.TextField(blank=True, max_length=5000, help_text="What the organisation does and offers.")
    contact_email = models.EmailField(
        "contact e-mail", blank=True, help_text="Where researchers and staff reach the organisation."
    )
    country = models.CharField(max_length=100, blank=True, validators=[validate_single_line])
    verified = models.BooleanField(
        default=False,
        help_text="Set by program staff once they have checked the organisation. Only verified organisations' "
        "listings are public.",
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A verified organisation's name and website are what researchers trust: its administrators' changes to them
    # wait here for program staff, and the public keeps the verified ones until staff approve.
    requested_changes = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="A new name or website the organisation's administrators asked for, waiting for program staff.",
    )
    changes_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    changes_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    # Set before a save; django-simple-history writes it into the history row (declared for the type checker).
    _change_reason: str
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # Only verified names are unique: anyone may register a name that waits for verification, and staff
            # resolve duplicates, so registering says nothing about organisations the public cannot see.
            models.UniqueConstraint(
                Lower("name"),
                condition=Q(verified=True),
                name="organisation_verified_name_unique_ci",
                violation_error_message="A verified organisation already has this name.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        previous = None
        if not self._state.adding and (update_fields is None or "name" in update_fields):
            previous = type(self).objects.filter(pk=self.pk).values_list("name", flat=True).first()
        super().save(*args, **kwargs)
        if previous is not None and previous != self.name:
            self.refresh_listing_search_terms()

    def get_absolute_url(self):
        return reverse("partners:provider", kwargs={"slug": self.slug})

    def get_manage_url(self):
        return reverse("partners:organisation", kwargs={"slug": self.slug})

    def refresh_listing_search_terms(self):
        """The listings' search terms carry the provider's name: rewrite them after a rename."""
        for capability in self.capabilities.all():
            type(capability).objects.filter(pk=capability.pk).update(
                search_terms=capability.search_terms_under(self.name)
            )


class Membership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_memberships")
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                name="membership_unique",
                violation_error_message="This person is already a member of the organisation.",
            ),
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) at {self.organisation}"

    @property
    def is_admin(self):
        return self.role == MembershipRole.ADMIN


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An e-mailed invitation to join an organisation. Its link expires and works once.

    The link's token is made when the e-mail is sent and only its hash is kept (leoportal/domain/invitations.py, the
    scheme of every kind of invitation); ``public_id`` is what the organisation's pages use to revoke it. ``key``
    opens links signed before that scheme (``partners.domain.organisations.invitation_from_token``) until the last
    of them has expired; then it goes.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values), name="invitation_role_valid"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            ),
            models.UniqueConstraint(
                fields=["token_hash"], condition=~Q(token_hash=""), name="member_invitation_token_unique"
            ),
        ]
        indexes = [models.Index(Lower("email"), name="invitation_email_ci")]

    def __str__(self):
        return f"Invitation of {self.email} to {self.organisation}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
