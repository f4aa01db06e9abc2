"""Introductions: program staff share a proposal with a provider organisation, which answers once.

A provider sees nothing of a proposal until staff introduce it; then its members see the summary part only (title,
summary, flight requirements and the match explanation), and the contacts of both sides are shared only once a
member answers "interested". Matches are replaced whenever a proposal is rescored, so an introduction keeps its
own copy of the match explanation as it stood when staff made it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from leoportal.models.constraints import choice_q
from partners.models import Membership
from projects.enums import CLOSED_STATUSES, Fit, IntroductionAnswer, RequestState


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class IntroductionQuerySet(models.QuerySet):
    def for_provider(self, user):
        """Introductions to the organisations ``user`` is a member of (what a provider may open)."""
        if not _active(user):
            return self.none()
        return self.filter(Exists(Membership.objects.filter(organisation=OuterRef("organisation"), user=user)))

    def visible_to(self, user):
        """The introduction pages ``user`` may open: program staff every one, providers their organisations'."""
        if not _active(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.for_provider(user)

    def awaiting_answer(self):
        return self.filter(answer="")


class Introduction(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="introductions")
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="introductions",
        help_text="The provider the proposal was introduced to.",
    )
    # The match it came from. Matches are replaced on rescoring (the link then empties), so the explanation is also
    # copied below as it stood at introduction time.
    match = models.ForeignKey(
        "projects.Match", on_delete=models.SET_NULL, null=True, blank=True, related_name="introductions"
    )
    capability = models.ForeignKey(
        "partners.Capability",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions",
        verbose_name="facility",
    )
    facility_name = models.CharField(max_length=200, blank=True, help_text="The facility's name when introduced.")
    score = models.FloatField(null=True, blank=True)
    fit = models.CharField(max_length=12, blank=True, choices=Fit.choices)
    summary = models.CharField(max_length=300, blank=True, help_text="The match's summary line when introduced.")
    criteria = models.JSONField(
        default=list, blank=True, help_text="The match's checks when introduced: name, outcome and detail."
    )
    near_miss = models.TextField(blank=True)

    introduced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="introduced by"
    )
    note = models.TextField(max_length=5000, help_text="Program staff's note to the provider.")
    created_at = models.DateTimeField("introduced at", default=timezone.now, db_index=True)

    answer = models.CharField(max_length=20, blank=True, choices=IntroductionAnswer.choices)
    message = models.TextField(blank=True, max_length=5000, help_text="The provider's message with the answer.")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="answered by",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    # Set before a save; django-simple-history writes it into the history row (declared for the type checker).
    _change_reason: str
    objects = IntroductionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"],
                condition=Q(answer=""),
                name="introduction_one_open_per_organisation",
                violation_error_message="This proposal was already introduced to this provider, who has not "
                "answered yet.",
            ),
            models.CheckConstraint(
                condition=choice_q("answer", IntroductionAnswer.values), name="introduction_answer_valid"
            ),
            models.CheckConstraint(condition=choice_q("fit", Fit.values), name="introduction_fit_valid"),
            models.CheckConstraint(
                condition=Q(answer="", answered_at__isnull=True, answered_by__isnull=True)
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="introduction_answered_at_with_answer",
                violation_error_message="An answer has a time, and only an answer has one.",
            ),
            models.CheckConstraint(
                condition=Q(answer="", message="") | ~Q(answer=""),
                name="introduction_message_with_answer",
                violation_error_message="A message belongs to an answer.",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="introduction_score_0_100"
            ),
            models.CheckConstraint(condition=~Q(note=""), name="introduction_note_required"),
        ]

    def __str__(self):
        return f"{self.proposal} → {self.organisation}"

    def get_absolute_url(self):
        """The provider's page for this introduction."""
        return reverse("projects:introduction", args=[self.public_id])

    @property
    def is_answered(self) -> bool:
        return bool(self.answer)

    @property
    def is_interested(self) -> bool:
        return self.answer == IntroductionAnswer.INTERESTED

    @property
    def is_closed(self) -> bool:
        """The proposal was withdrawn or declined: the provider no longer sees its contacts or files."""
        return self.proposal.status in CLOSED_STATUSES

    @property
    def contacts_shared(self) -> bool:
        """The team's contacts and files are shared with the provider from its "interested" answer until the
        proposal closes."""
        return self.is_interested and not self.is_closed


class IntroductionRequestQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(state=RequestState.WAITING)


class IntroductionRequest(models.Model):
    """A researcher asks program staff to introduce their proposal to the provider of a listing.

    Only the research team and program staff ever see it: the provider learns of the proposal when staff turn the
    request into an introduction, and of nothing when staff decline it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="introduction_requests")
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="provider"
    )
    capability = models.ForeignKey(
        "partners.Capability",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="facility",
    )
    facility_name = models.CharField(max_length=200, help_text="The facility's name when asked about.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="asked by"
    )
    message = models.TextField(max_length=5000, help_text="What the researcher wants to know or discuss.")
    created_at = models.DateTimeField("asked at", default=timezone.now, db_index=True)
    state = models.CharField(max_length=20, choices=RequestState.choices, default=RequestState.WAITING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    staff_note = models.TextField(
        blank=True,
        max_length=5000,
        help_text="Why staff declined, for the researcher (or the note of the introduction).",
    )
    introduction = models.OneToOneField(
        Introduction, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )

    objects = IntroductionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"],
                condition=Q(state=RequestState.WAITING),
                name="introduction_request_one_waiting_per_provider",
                violation_error_message="This proposal already has a request waiting about this provider.",
            ),
            models.CheckConstraint(
                condition=choice_q("state", RequestState.values), name="introduction_request_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=RequestState.WAITING, decided_at__isnull=True)
                | (~Q(state=RequestState.WAITING) & Q(decided_at__isnull=False)),
                name="introduction_request_decided_at_with_decision",
            ),
            models.CheckConstraint(
                condition=~Q(state=RequestState.DECLINED) | ~Q(staff_note=""),
                name="introduction_request_declined_with_note",
                violation_error_message="A declined request says why.",
            ),
            models.CheckConstraint(condition=~Q(message=""), name="introduction_request_message_required"),
        ]

    def __str__(self):
        return f"{self.proposal} asks about {self.facility_name}"

    def get_admin_url(self):
        return reverse("admin:projects_introductionrequest_change", args=[self.pk])
