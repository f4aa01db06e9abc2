"""The admin's record of introductions.

Read-only: staff introduce from the introduce page (projects:introduce, linked from each proposal's matches) and
providers answer on their own page, so every change goes through projects/domain/introductions.py and its notifications.
One page acts: "Record a flight" (``record_flight_view``), where staff record that the introduced proposal flew, or
is manifested, on one of the provider's listings (projects/domain/flights.py).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods
from simple_history.admin import SimpleHistoryAdmin

from partners.enums import ImportOutcome
from projects.admin.forms import FlightRecordForm
from projects.domain import flights
from projects.enums import FlightStatus
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
            {"fields": ["capability", "facility_name", "score", "fit", "summary", "criteria_list", "near_miss"]},
        ),
        ("Answer", {"fields": ["answer", "answered_by", "answered_at", "message"]}),
        ("Flights", {"fields": ["flights_recorded"]}),
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
        "fit",
        "summary",
        "criteria_list",
        "near_miss",
        "answer",
        "answered_by",
        "answered_at",
        "message",
        "flights_recorded",
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

    @admin.display(description="flights recorded")
    def flights_recorded(self, introduction):
        recorded = flights.flights_of(introduction)
        items = format_html_join(
            "",
            '<li><a href="{}">{} on {} in {}</a>{}</li>',
            (
                (
                    flight.get_admin_url(),
                    flight.get_flight_status_display(),
                    ", ".join(listing.name for listing in flight.listings.all()) or "a deleted listing",
                    flight.year,
                    f" (recorded by {flight.recorded_by.display_name})" if flight.recorded_by else "",
                )
                for flight in recorded
            ),
        )
        link = format_html(
            '<a class="button" href="{}" data-record-flight>Record a flight</a>',
            reverse("admin:projects_introduction_flight", args=[introduction.pk]),
        )
        if not recorded:
            return format_html("<p>None yet.</p><p>{}</p>", link)
        return format_html("<ul>{}</ul><p>{}</p>", items, link)

    # --- Record a flight --------------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/flight/",
                self.admin_site.admin_view(self.record_flight_view),
                name="projects_introduction_flight",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_http_methods(["GET", "POST"]))
    def record_flight_view(self, request, object_id):
        """Staff record that the introduced proposal flew (or is manifested) on one of the provider's listings."""
        introduction = self.get_object(request, unquote(object_id))
        if introduction is None or not request.user.has_perm("projects.record_flight"):
            raise Http404("No such introduction.")
        refusal = flights.proposal_flight_problem(introduction.proposal)
        form = FlightRecordForm(
            request.POST if request.method == "POST" else None, organisation=introduction.organisation
        )
        status = 200
        if request.method == "POST":
            if refusal is None and form.is_valid():
                data = form.cleaned_data
                try:
                    recorded = flights.record_flight(
                        introduction, data["listing"], data["status"], data["year"], request.user
                    )
                except flights.FlightRecordError as error:
                    form.add_error(None, error.message)
                else:
                    _say_what_happened(request, recorded, data)
                    return redirect(reverse("admin:projects_introduction_change", args=[introduction.pk]))
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Record a flight",
            "introduction": introduction,
            "proposal": introduction.proposal,
            "refusal": refusal,
            "form": form,
            "has_listings": form.fields["listing"].queryset.exists(),
            "flights": flights.flights_of(introduction),
            "change_url": reverse("admin:projects_introduction_change", args=[introduction.pk]),
        }
        return TemplateResponse(request, "admin/projects/introduction/record_flight.html", context, status=status)


def _say_what_happened(request, recorded, data) -> None:
    listing, year = data["listing"], data["year"]
    verb = "flew on" if data["status"] == FlightStatus.FLOWN else "is manifested on"
    title = recorded.precedent.proposal.display_title
    if recorded.outcome == ImportOutcome.UNCHANGED:
        messages.info(request, f"Already recorded: “{title}” {verb} {listing.name} in {year}. Nothing changed.")
        return
    done = "Recorded" if recorded.outcome == ImportOutcome.CREATED else "Updated the record"
    messages.success(
        request,
        f"{done}: “{title}” {verb} {listing.name} in {year}. It is a flight precedent now: matching counts it as "
        f"evidence for {listing.name}, and outside the admin it is only ever “a similar proposal on this portal”. "
        "Open proposals it could move are being rescored.",
    )
