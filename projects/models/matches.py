"""Stored results of the matching engine: for each scored proposal, its top listings and its near misses.

A proposal's rows are replaced as a whole, in one transaction, by projects/domain/scoring/: readers see the previous
results until the new ones are committed.
"""

import json

from django.db import models
from django.db.models import Q

from projects.enums import Fit
from projects.matching.explain import Certainty


class Match(models.Model):
    # No separate index on proposal: the unique (proposal, capability) index starts with it.
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="matches", db_index=False)
    capability = models.ForeignKey("partners.Capability", on_delete=models.CASCADE, related_name="matches")
    rank = models.PositiveIntegerField(help_text="1 is the best; near misses rank after the top matches.")
    score = models.FloatField()
    fit = models.CharField(max_length=12, choices=Fit.choices)
    # Certainty, kept apart from the score: of the needs the proposal states, how many the listing's stated facts
    # meet, leave to confirm, or contradict, and how many kinds of hardware another listing must cover.
    needs_stated = models.PositiveSmallIntegerField(default=0)
    needs_met = models.PositiveSmallIntegerField(default=0)
    needs_to_confirm = models.PositiveSmallIntegerField(default=0)
    needs_not_met = models.PositiveSmallIntegerField(default=0)
    needs_elsewhere = models.PositiveSmallIntegerField(default=0)
    precedents = models.PositiveSmallIntegerField(default=0, help_text="Similar experiments that flew on the listing.")
    # Every check as compact JSON, [[name, outcome, sentence], ...]: text rather than jsonb because it is only ever
    # read whole, and a rescore writes hundreds of thousands of rows (jsonb parsing doubled the time to store them).
    criteria_json = models.TextField(default="[]")
    near_miss = models.TextField(blank=True, help_text="For a near miss: what would make the pair fit.")
    algorithm_version = models.CharField(max_length=40)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["proposal", "rank"]
        verbose_name_plural = "matches"
        indexes = [
            # The review desk filters and counts matches that fit per proposal; they are a small share of the rows.
            models.Index(fields=["proposal"], condition=Q(fit=Fit.FITS), name="match_fits"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "capability"], name="match_unique_pair"),
            models.UniqueConstraint(fields=["proposal", "rank"], name="match_unique_rank"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="match_score_0_100"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="match_rank_positive"),
            models.CheckConstraint(condition=Q(fit__in=Fit.values), name="match_fit_valid"),
            models.CheckConstraint(
                condition=Q(near_miss="") | Q(fit=Fit.DOES_NOT_FIT), name="match_near_miss_does_not_fit"
            ),
            # A pair fits only when every stated need is met: never beside a need not met or to confirm.
            models.CheckConstraint(
                condition=~Q(fit=Fit.FITS) | Q(needs_not_met=0, needs_to_confirm=0, needs_elsewhere=0),
                name="match_fits_meets_every_need",
            ),
        ]

    def __str__(self):
        return f"#{self.rank} {self.capability} for {self.proposal} ({self.score:.0f}, {self.get_fit_display()})"

    @property
    def is_near_miss(self) -> bool:
        return bool(self.near_miss)

    @property
    def certainty(self) -> Certainty:
        return Certainty(
            self.needs_stated, self.needs_met, self.needs_to_confirm, self.needs_not_met, self.needs_elsewhere
        )

    @property
    def summary(self) -> str:
        """One line: "Meets 5 of 6 needs · 1 to confirm with the provider · 4 similar experiments flew here"."""
        return self.certainty.summary(Fit(self.fit), self.precedents)

    @property
    def criteria(self) -> list[dict]:
        """The checks as dicts: name, outcome (pass, partial, unknown, fail) and detail (a sentence)."""
        return [{"name": n, "outcome": o, "detail": d} for n, o, d in json.loads(self.criteria_json)]


class ListingDemand(models.Model):
    """How many open proposals a listing fits or is to confirm for: counts only, never proposal content.

    Refreshed by a periodic task over every open proposal (not only the kept top matches), so a listing page reads
    two numbers instead of scoring thousands of proposals per view.
    """

    capability = models.OneToOneField("partners.Capability", on_delete=models.CASCADE, related_name="demand")
    fits = models.PositiveIntegerField(default=0)
    to_confirm = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.capability}: fits {self.fits}, to confirm for {self.to_confirm}"


class RescoreRequest(models.Model):
    """A listing changed: the open proposals it could move need rescoring. Rows, not just queued tasks, so that a
    burst of changes (a 500-listing import) is rescored once, and a request made while the broker is down is kept."""

    capability_id = models.BigIntegerField(help_text="The listing (it may have been deleted since).")
    categories = models.JSONField(default=list, help_text="Kinds of hardware the listing offers or offered.")
    requested_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"rescore for listing {self.capability_id} requested {self.requested_at:%Y-%m-%d %H:%M}"
