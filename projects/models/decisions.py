"""Decision e-mails staff approve: a template per call and decision, and the drafts a decision leaves in the outbox.

A staff decision (encouraged to a full proposal, declined, accepted, revisions requested) does not e-mail the team
at once: it drafts a DecisionEmail from the call's template (projects/domain/decisions.py). Staff read and edit the
draft, then send it; sending is recorded on the row (``sent_at``, claimed by a conditional update) so a draft goes
out once, through the notification machinery.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from projects.enums import ProposalStatus

# The statuses a staff decision moves a proposal to; each has its own e-mail.
DECISION_STATUSES = (
    ProposalStatus.INVITED,
    ProposalStatus.REVISIONS_REQUESTED,
    ProposalStatus.ACCEPTED,
    ProposalStatus.DECLINED,
)
DECISION_CHOICES = [(status.value, status.label) for status in DECISION_STATUSES]

# What a template may say in braces, and what each is replaced by (projects/domain/decisions.py fills them).
PLACEHOLDERS = {
    "pi_name": "the principal investigator's name",
    "title": "the proposal's title",
    "call": "the call's code (or “unsolicited”)",
    "call_title": "the call's title",
    "what": "“concept summary” or “proposal”",
    "decision": "the decision (for example “Accepted”)",
    "deadline": "the call's full-proposal deadline",
    "note": "the note staff typed with the decision",
    "reviewer_comments": "the reviewers' comments staff released, unsigned",
    "proposal_url": "the address of the proposal on the site",
}
PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")


def check_placeholders(subject: str, body: str) -> None:
    """Refuse a template using a placeholder that does not exist, naming it and the ones that do."""
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        unknown = sorted({name for name in PLACEHOLDER.findall(text or "") if name.strip() not in PLACEHOLDERS})
        if unknown:
            names = ", ".join(f"{{{name}}}" for name in unknown)
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            errors[field] = f"Unknown placeholder{'s' if len(unknown) > 1 else ''} {names}. Use only these: {known}."
    if errors:
        raise ValidationError(errors)


class DecisionTemplate(models.Model):
    """The wording of one decision's e-mail for one call, with {placeholders} (the admin lists them)."""

    call = models.ForeignKey("projects.Call", on_delete=models.CASCADE, related_name="decision_templates")
    decision = models.CharField(max_length=30, choices=DECISION_CHOICES)
    subject = models.CharField(max_length=300)
    body = models.TextField(max_length=10000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["call", "decision"]
        verbose_name = "decision e-mail template"
        constraints = [
            models.UniqueConstraint(
                fields=["call", "decision"],
                name="decision_template_once_per_call",
                violation_error_message="This call already has a template for this decision.",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=[value for value, _label in DECISION_CHOICES]),
                name="decision_template_decision_valid",
            ),
        ]

    def __str__(self):
        return f"{self.call.code}: {self.get_decision_display()}"

    def clean(self):
        check_placeholders(self.subject, self.body)


class DecisionEmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True)


class DecisionEmail(models.Model):
    """A decision's e-mail to the team, drafted when staff decide and sent once when staff approve it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="decision_emails")
    status_change = models.OneToOneField(
        "projects.StatusChange", on_delete=models.CASCADE, related_name="decision_email"
    )
    decision = models.CharField(max_length=30, choices=DECISION_CHOICES)
    subject = models.CharField(max_length=300)
    body = models.TextField(max_length=20000)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = DecisionEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "decision e-mail"
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=[value for value, _label in DECISION_CHOICES]),
                name="decision_email_decision_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()}: {self.proposal}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
