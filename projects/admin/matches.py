"""Stored matching results, read-only (the scoring tasks write them): matches and listing demand counts."""

from django.contrib import admin

from leoportal.admin.pagination import EstimatedCountPaginator
from projects.admin.team import ReadOnlyAdmin
from projects.models import ListingDemand, Match, RescoreRequest


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = [
        "proposal",
        "rank",
        "capability",
        "provider",
        "fit",
        "score",
        "summary",
        "is_near_miss",
        "computed_at",
    ]
    list_filter = ["fit", ("near_miss", admin.EmptyFieldListFilter), "algorithm_version"]
    search_fields = ["proposal__title", "capability__name", "capability__organisation__name"]
    list_select_related = ["proposal", "capability__organisation"]
    # The table holds hundreds of thousands of rows: estimate the unfiltered count, never count it twice.
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ["proposal", "rank"]
    fields = [
        "proposal",
        "capability",
        "rank",
        "score",
        "fit",
        "summary",
        "criteria_list",
        "near_miss",
        "algorithm_version",
        "computed_at",
    ]
    readonly_fields = fields

    @admin.display(description="provider", ordering="capability__organisation__name")
    def provider(self, match):
        return match.capability.organisation.name

    @admin.display(description="near miss", boolean=True)
    def is_near_miss(self, match):
        return match.is_near_miss

    @admin.display(description="criteria")
    def criteria_list(self, match):
        return "\n".join(f"{c['outcome']}: {c['detail']}" for c in match.criteria)


@admin.register(ListingDemand)
class ListingDemandAdmin(ReadOnlyAdmin):
    list_display = ["capability", "fits", "to_confirm", "computed_at"]
    search_fields = ["capability__name", "capability__organisation__name"]
    list_select_related = ["capability__organisation"]
    ordering = ["-fits", "-to_confirm"]


@admin.register(RescoreRequest)
class RescoreRequestAdmin(ReadOnlyAdmin):
    """Listing changes waiting for the sweep to rescore the open proposals they could move."""

    list_display = ["capability_id", "kinds", "requested_at"]
    list_filter = ["requested_at"]
    search_fields = ["=capability_id"]
    date_hierarchy = "requested_at"
    ordering = ["requested_at"]
    fields = ["capability_id", "categories", "requested_at"]
    readonly_fields = fields

    @admin.display(description="kinds of hardware")
    def kinds(self, request_row):
        return ", ".join(request_row.categories) or "none stated"
