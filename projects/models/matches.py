"""Stored results of the matching engine: for each scored proposal, its top listings and its near misses.

A proposal's rows are replaced as a whole, in one transaction, by projects/scoring.py: readers see the previous
results until the new ones are committed.
"""

import json

from django.db import models
from django.db.models import Q

from projects.enums import Eligibility


class Match(models.Model):
    # No separate index on proposal: the unique (proposal, capability) index starts with it.
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="matches", db_index=False)
    capability = models.ForeignKey("partners.Capability", on_delete=models.CASCADE, related_name="matches")
    rank = models.PositiveIntegerField(help_text="1 is the best; near misses rank after the top matches.")
    score = models.FloatField()
    eligibility = models.CharField(max_length=12, choices=Eligibility.choices)
    # Every check as compact JSON, [[name, outcome, sentence], ...]: text rather than jsonb because it is only ever
    # read whole, and a rescore writes hundreds of thousands of rows (jsonb parsing doubled the time to store them).
    criteria_json = models.TextField(default="[]")
    near_miss = models.TextField(blank=True, help_text="For a near miss: what would make the pair eligible.")
    algorithm_version = models.CharField(max_length=40)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["proposal", "rank"]
        verbose_name_plural = "matches"
        indexes = [
            # The review desk filters and counts eligible matches per proposal; they are a small share of the rows.
            models.Index(fields=["proposal"], condition=Q(eligibility=Eligibility.ELIGIBLE), name="match_eligible"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "capability"], name="match_unique_pair"),
            models.UniqueConstraint(fields=["proposal", "rank"], name="match_unique_rank"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="match_score_0_100"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="match_rank_positive"),
            models.CheckConstraint(condition=Q(eligibility__in=Eligibility.values), name="match_eligibility_valid"),
            models.CheckConstraint(
                condition=Q(near_miss="") | Q(eligibility=Eligibility.INELIGIBLE), name="match_near_miss_ineligible"
            ),
        ]

    def __str__(self):
        return f"#{self.rank} {self.capability} for {self.proposal} ({self.score:.0f}, {self.eligibility})"

    @property
    def is_near_miss(self) -> bool:
        return bool(self.near_miss)

    @property
    def criteria(self) -> list[dict]:
        """The checks as dicts: name, outcome (pass, partial, unknown, fail) and detail (a sentence)."""
        return [{"name": n, "outcome": o, "detail": d} for n, o, d in json.loads(self.criteria_json)]

    @staticmethod
    def encode_criteria(checks) -> str:
        return json.dumps([[c["name"], c["outcome"], c["detail"]] for c in checks], ensure_ascii=False)


class ListingDemand(models.Model):
    """How many open proposals a listing is eligible or unconfirmed for: counts only, never proposal content.

    Refreshed by a periodic task over every open proposal (not only the kept top matches), so a listing page reads
    two numbers instead of scoring thousands of proposals per view.
    """

    capability = models.OneToOneField("partners.Capability", on_delete=models.CASCADE, related_name="demand")
    eligible = models.PositiveIntegerField(default=0)
    unconfirmed = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.capability}: {self.eligible} eligible, {self.unconfirmed} unconfirmed"


class RescoreRequest(models.Model):
    """A listing changed: the open proposals it could move need rescoring. Rows, not just queued tasks, so that a
    burst of changes (a 500-listing import) is rescored once, and a request made while the broker is down is kept."""

    capability_id = models.BigIntegerField(help_text="The listing (it may have been deleted since).")
    categories = models.JSONField(default=list, help_text="Kinds of hardware the listing offers or offered.")
    requested_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"rescore for listing {self.capability_id} requested {self.requested_at:%Y-%m-%d %H:%M}"
