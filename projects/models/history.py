"""The status history of proposals (the audit of every transition)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from leoportal.models.constraints import choice_q
from projects.enums import ProposalStatus, Stage


class StatusChange(models.Model):
    """One move of a proposal between statuses: who, when, from, to and why. Written by set_proposal_status."""

    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        max_length=30, blank=True, choices=ProposalStatus.choices, help_text="Blank when the proposal was created."
    )
    to_status = models.CharField(max_length=30, choices=ProposalStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, max_length=5000)
    stage = models.CharField(
        max_length=10, choices=Stage.choices, default=Stage.FULL, help_text="The stage the move was made at."
    )

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=choice_q("from_status", ProposalStatus.values), name="status_change_from_valid"
            ),
            models.CheckConstraint(
                condition=choice_q("to_status", ProposalStatus.values, blank=False), name="status_change_to_valid"
            ),
            models.CheckConstraint(
                condition=choice_q("stage", Stage.values, blank=False), name="status_change_stage_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_from_status_display() or 'created'} → {self.get_to_status_display()}"
