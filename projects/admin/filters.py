"""List filters of the proposal desk: research areas and hardware needs (JSON lists), matches, reviews."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone

from leoportal.fields import json_list_contains
from partners.enums import Category, ResearchArea
from projects.domain.queries import awaiting_reviews
from projects.enums import Fit, ProposalStatus
from projects.models import OPEN_STATUSES, Match, Review, ReviewAssignment


class JsonListFilter(admin.SimpleListFilter):
    """Rows whose ChoiceListField ``field_name`` contains the chosen vocabulary value."""

    field_name = ""
    vocabulary = ()

    def lookups(self, request, model_admin):
        return self.vocabulary

    def queryset(self, request, queryset):
        if self.value() in {value for value, _label in self.vocabulary}:
            return queryset.filter(json_list_contains(self.field_name, self.value()))
        return queryset


class ResearchAreaFilter(JsonListFilter):
    title = "research area"
    parameter_name = "research_area"
    field_name = "research_areas"
    vocabulary = ResearchArea.choices


class NeedFilter(JsonListFilter):
    title = "hardware needed"
    parameter_name = "need"
    field_name = "needs"
    vocabulary = Category.choices


def _matches(*fits):
    return Exists(Match.objects.filter(proposal=OuterRef("pk"), fit__in=fits))


class MatchFilter(admin.SimpleListFilter):
    title = "matches"
    parameter_name = "matches"

    FITS = "fits"
    TO_CONFIRM_ONLY = "to_confirm"
    NONE = "none"
    NOT_SCORED = "not_scored"

    def lookups(self, request, model_admin):
        return [
            (self.FITS, "Has a match that fits"),
            (self.TO_CONFIRM_ONLY, "Matches to confirm only"),
            (self.NONE, "Has no match"),
            (self.NOT_SCORED, "Not scored yet"),
        ]

    def queryset(self, request, queryset):
        fits = _matches(Fit.FITS)
        open_match = _matches(Fit.FITS, Fit.TO_CONFIRM)
        if self.value() == self.FITS:
            return queryset.filter(fits)
        if self.value() == self.TO_CONFIRM_ONLY:
            return queryset.filter(open_match).exclude(fits)
        if self.value() == self.NONE:
            # Scored, and nothing that fits or is to confirm came out (at most near misses).
            return queryset.filter(matched_at__isnull=False).exclude(open_match)
        if self.value() == self.NOT_SCORED:
            return queryset.filter(matched_at__isnull=True)
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    title = "reviews"
    parameter_name = "reviews"

    NONE = "none"
    MINE = "mine"
    NOT_MINE = "not_mine"

    def lookups(self, request, model_admin):
        return [
            (self.NONE, "Not reviewed yet"),
            (self.MINE, "Reviewed by me"),
            (self.NOT_MINE, "Not yet reviewed by me"),
        ]

    def queryset(self, request, queryset):
        scored = Review.objects.scored().filter(proposal=OuterRef("pk"))
        mine = Review.objects.filter(proposal=OuterRef("pk"), reviewer=request.user).exclude(
            conflict_of_interest=False, submitted_at__isnull=True
        )  # a draft is not done
        if self.value() == self.NONE:
            return queryset.exclude(Exists(scored))
        if self.value() == self.MINE:
            return queryset.filter(Exists(scored.filter(reviewer=request.user)))
        if self.value() == self.NOT_MINE:
            return queryset.exclude(Exists(mine))  # a declared conflict counts as done
        return queryset


class ReviewProgressFilter(admin.SimpleListFilter):
    """Where the panel's reviews of a proposal stand: none assigned, some still awaited, all in, or overdue (one
    awaited after its review round closed, the proposal still open)."""

    title = "review progress"
    parameter_name = "review_progress"
    NONE_ASSIGNED = "none_assigned"
    AWAITING = "awaiting"
    ALL_IN = "all_in"
    OVERDUE = "overdue"

    def lookups(self, request, model_admin):
        return [
            (self.NONE_ASSIGNED, "No reviewer assigned"),
            (self.AWAITING, "Awaiting reviews"),
            (self.ALL_IN, "All assigned reviews in"),
            (self.OVERDUE, "Reviews overdue"),
        ]

    def queryset(self, request, queryset):
        assigned = Exists(ReviewAssignment.objects.filter(proposal=OuterRef("pk")))
        awaiting = Exists(awaiting_reviews())
        if self.value() == self.NONE_ASSIGNED:
            return queryset.exclude(assigned)
        if self.value() == self.AWAITING:
            return queryset.filter(awaiting)
        if self.value() == self.ALL_IN:
            return queryset.filter(assigned).exclude(awaiting)
        if self.value() == self.OVERDUE:
            overdue = Exists(awaiting_reviews().filter(round__closes_at__lt=timezone.now()))
            return queryset.filter(overdue, status__in=OPEN_STATUSES)
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """The proposal's status. Drafts are the teams' own work in progress: the list leaves them out unless asked
    ("Every status, drafts too", or "Draft")."""

    title = "status"
    parameter_name = "status__exact"  # the name Django's own status filter used: links to the desk keep working
    EVERY = "all"

    def lookups(self, request, model_admin):
        return [(self.EVERY, "Every status, drafts too"), *ProposalStatus.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.EVERY:
            return queryset
        if value in ProposalStatus.values:
            return queryset.filter(status=value)
        return queryset.exclude(status=ProposalStatus.DRAFT)

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["query_string"] == changelist.get_query_string(remove=[self.parameter_name]):
                choice["display"] = "All but drafts"
            yield choice
