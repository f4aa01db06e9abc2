"""Submitted versions: what a proposal said each time it was submitted, frozen (answers, team, files)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from leoportal.models.constraints import choice_q
from projects.enums import Stage


class ProposalVersion(models.Model):
    """One submission of a proposal, kept as it was: the answers, the team and the files (each file version's bytes
    are copied under MEDIA_ROOT/proposal-versions/, so replacing an attachment later never loses the submitted one).

    ``answers``: field name -> value as JSON; ``team``: [{name, email, organisation, role}]; ``files``: [{kind,
    name, size_bytes, page_count, stored, key}] (``key`` names the upload, shared by versions that kept it)."""

    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(help_text="1 for the first submission, then 2, 3...")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    answers = models.JSONField(default=dict)
    team = models.JSONField(default=list)
    files = models.JSONField(default=list)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="proposal_version_number_positive"),
            models.CheckConstraint(
                condition=choice_q("stage", Stage.values, blank=False), name="proposal_version_stage"
            ),
        ]

    def __str__(self):
        return f"Version {self.number}"
