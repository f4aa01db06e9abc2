"""The admin's record of introductions (imported at the end of projects/admin.py).

Read-only: staff introduce from the introduce page (projects:introduce, linked from each proposal's matches) and
providers answer on their own page, so every change goes through projects/introductions.py and its notifications.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from projects.models import Introduction


class AnsweredFilter(admin.SimpleListFilter):
    title = "answer"
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting answer"), ("interested", "Interested"), ("not_interested", "Not interested")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "awaiting":
            return queryset.filter(answer="")
        if value in ("interested", "not_interested"):
            return queryset.filter(answer=value)
        return queryset


@admin.register(Introduction)
class IntroductionAdmin(SimpleHistoryAdmin):
    list_display = [
        "proposal_title",
        "organisation",
        "facility_name",
        "score",
        "introduced_by",
        "created_at",
        "answer_state",
        "answered_by",
        "answered_at",
    ]
    list_filter = [AnsweredFilter, "created_at", "organisation"]
    search_fields = ["proposal__title", "organisation__name", "facility_name", "note", "message", "=public_id"]
    list_select_related = ["proposal", "organisation", "introduced_by", "answered_by"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["proposal_link", "organisation", "provider_page", "public_id"]}),
        ("Introduction", {"fields": ["introduced_by", "created_at", "note"]}),
        (
            "Match explanation when introduced",
            {"fields": ["capability", "facility_name", "score", "eligibility", "criteria_list", "near_miss"]},
        ),
        ("Answer", {"fields": ["answer", "answered_by", "answered_at", "message"]}),
    ]
    readonly_fields = [
        "proposal_link",
        "organisation",
        "provider_page",
        "public_id",
        "introduced_by",
        "created_at",
        "note",
        "capability",
        "facility_name",
        "score",
        "eligibility",
        "criteria_list",
        "near_miss",
        "answer",
        "answered_by",
        "answered_at",
        "message",
    ]

    def has_add_permission(self, request):
        return False  # introduce from the proposal (projects:introduce): it notifies the provider

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who was shown what stays

    @admin.display(description="proposal", ordering="proposal__title")
    def proposal_title(self, introduction):
        return introduction.proposal.display_title

    @admin.display(description="answer", ordering="answer")
    def answer_state(self, introduction):
        return introduction.get_answer_display() or "Awaiting answer"

    @admin.display(description="proposal")
    def proposal_link(self, introduction):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:projects_proposal_change", args=[introduction.proposal_id]),
            introduction.proposal.display_title,
        )

    @admin.display(description="provider's page")
    def provider_page(self, introduction):
        return format_html('<a href="{}">{}</a>', introduction.get_absolute_url(), introduction.get_absolute_url())

    @admin.display(description="checks")
    def criteria_list(self, introduction):
        if not introduction.criteria:
            return "-"
        items = format_html_join(
            "",
            "<li><strong>{}</strong> {}</li>",
            ((check.get("outcome", ""), check.get("detail", "")) for check in introduction.criteria),
        )
        return format_html("<ul>{}</ul>", items)
