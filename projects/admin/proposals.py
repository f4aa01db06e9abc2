"""The review desk: program staff's list of proposals and the proposal page in the admin.

The page is read-only (proposals are the researchers' to write): staff act on proposals through the desk's
actions, which call the domain functions (status moves through projects.domain.transitions, rescoring through
projects.domain.scoring, reviews through projects.domain.reviews), on one proposal from its page or on a selection
from the list.

The list stays fast on tens of thousands of proposals and hundreds of thousands of match rows: it sorts and pages
without the figures (aliases, used only when sorting or filtering by them), then computes them for the page's rows
(projects.domain.queries.attach_desk_figures: correlated subqueries on indexes); related rows are joined, the unfiltered
count comes from the planner's statistics, and the search is a union of indexed lookups (README, "Speed").
"""

import contextlib
import uuid

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Q
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from leoportal.admin.pagination import EstimatedCountPaginator
from leoportal.admin_site import app_list_key
from leoportal.domain import page_cache
from leoportal.domain.public_pages import minute
from leoportal.models import User
from leoportal.rules import is_program_staff
from partners.models import Membership
from projects.admin import actions, desk_views
from projects.admin.filters import (
    MatchFilter,
    NeedFilter,
    ResearchAreaFilter,
    ReviewFilter,
    ReviewProgressFilter,
    StatusFilter,
)
from projects.admin.forms import StatusMoveForm
from projects.domain import page_rows, reviews, suggestions
from projects.domain.queries import attach_desk_figures, desk_figures, proposal_introductions
from projects.domain.transitions import allowed_moves
from projects.enums import Fit
from projects.models import REVIEW_CRITERIA, Match, Proposal, proposal_search_vector

TRI_STATE = {True: "Yes", False: "No", None: "Not stated"}
SEARCH_IDS_MAX = 2000


def _tri_state(field: str, label: str):
    @admin.display(description=label)
    def display(self, proposal):
        return TRI_STATE[getattr(proposal, field)]

    return display


# Long texts the list never shows: left out of its query (sorting ten thousand wide rows spills to disk).
LIST_DEFERRED = ("summary", "objectives", "why_microgravity", "earth_benefit", "matching_funds_sources")


class DeskChangeList(ChangeList):
    """Sorts and pages proposals without their figures, then computes the figures for the page's rows only."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*LIST_DEFERRED)

    def get_results(self, request):
        super().get_results(request)
        self.result_list = attach_desk_figures(self.result_list)


def introduce_url(proposal, capability) -> str | None:
    """The introductions page for this proposal and listing, if the site has one (None otherwise)."""
    try:
        url = reverse("projects:introduce", args=[proposal.public_id])
    except NoReverseMatch:
        return None
    return f"{url}?capability={capability.public_id}"


@admin.register(Proposal)
class ProposalAdmin(SimpleHistoryAdmin):
    list_display = [
        "title_or_untitled",
        "principal_investigator",
        "call_code",
        "status",
        "submitted",
        "best_match_display",
        "matches_that_fit",
        "review_average",
    ]
    list_display_links = ["title_or_untitled"]
    list_filter = [
        StatusFilter,
        "stage",
        "call",
        ResearchAreaFilter,
        NeedFilter,
        MatchFilter,
        ReviewFilter,
        ReviewProgressFilter,
        "sample_type",
    ]
    list_select_related = ["owner", "call"]
    list_per_page = settings.DESK_PAGE_SIZE
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    date_hierarchy = "last_submitted_at"
    ordering = [F("last_submitted_at").desc(nulls_last=True), "-id"]
    # Used as written on databases without full-text search; on PostgreSQL get_search_results adds the text search.
    search_fields = [
        "title",
        "organisation",
        "owner__email",
        "owner__full_name",
        "summary",
        "objectives",
        "why_microgravity",
        "earth_benefit",
        "=external_id",
        "=public_id",
    ]
    search_help_text = (
        "Title, principal investigator, organisation or external id; words of the proposal's text (summary, "
        "objectives, why microgravity, Earth benefit) match too. “Quoted phrases” and -exclusions work."
    )
    actions = [actions.move_status, actions.rescore, actions.export_csv]
    # The team, files and status history are tables of the page (desk_context), not inline formsets: they are
    # read-only here, and plain tables read better (and scroll accessibly on a phone).
    change_form_template = "admin/projects/proposal/change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "call", "stage", "status", "owner", "site_page"]}),
        ("Overview", {"fields": ["summary", "objectives"]}),
        (
            "Team and eligibility",
            {"fields": ["organisation", "uei", "cage_code", "attest_us_persons", "attest_export_control"]},
        ),
        (
            "Science",
            {"fields": ["why_microgravity", "earth_benefit", "research_areas_display", "trl_current", "trl_target"]},
        ),
        (
            "Flight requirements",
            {
                "fields": [
                    "sample_type",
                    "needs_display",
                    ("temperature_min_c", "temperature_max_c"),
                    ("co2_display", "humidity_display"),
                    ("units_needed", "duration_days", "power_w"),
                    "crew_time",
                    ("imaging_display", "variable_gravity_display"),
                    ("sample_return_display", "return_temperature_c"),
                    "biosafety_level",
                    ("launch_earliest", "launch_latest"),
                ],
                "description": "“Not stated” means the researcher left it open, never “no”.",
            },
        ),
        ("Funding", {"fields": ["amount_requested", "matching_funds", "matching_funds_sources"]}),
        (
            "Record",
            {
                "fields": [
                    "public_id",
                    "external_id",
                    "created_at",
                    "updated_at",
                    "status_changed_at",
                    "submitted_at",
                    "last_submitted_at",
                    "submission_count",
                    "matched_at",
                    "match_version",
                ]
            },
        ),
    ]

    co2_display = _tri_state("co2", "CO₂ control")
    humidity_display = _tri_state("humidity", "humidity control")
    imaging_display = _tri_state("imaging", "imaging on orbit")
    variable_gravity_display = _tri_state("variable_gravity", "on-orbit centrifuge")
    sample_return_display = _tri_state("sample_return", "sample return")

    # --- Permissions: the page is read-only; the desk's actions need the "desk" permission -----------------------

    def has_add_permission(self, request):
        return False  # proposals are written by researchers (or imported with import_proposals)

    def has_change_permission(self, request, obj=None):
        return False  # read-only: status, scoring and reviews change through the desk's actions

    def has_delete_permission(self, request, obj=None):
        return False  # history matters: a proposal is withdrawn or declined, never deleted by staff

    def has_desk_permission(self, request, obj=None):
        return is_program_staff(request.user) and self.has_view_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [name for fieldset in self.fieldsets for row in fieldset[1]["fields"] for name in _names(row)]

    # --- The list ---------------------------------------------------------------------------------------------

    def get_queryset(self, request):
        # Aliases: available to filters and sorting, computed only when a query uses them (DeskChangeList).
        return super().get_queryset(request).alias(**desk_figures())

    def get_changelist(self, request, **kwargs):
        return DeskChangeList

    def changelist_view(self, request, extra_context=None):
        # Kept whole for one member of staff, with the same rights, at the same address (filters, search, sorting
        # and page), while no row of the tables it shows changes (the stamp PostgreSQL changes) and the minute stays.
        def respond():
            return super(ProposalAdmin, self).changelist_view(request, extra_context)

        version = page_cache.rows_version() if request.method == "GET" else None
        return _kept_for_staff(request, "desk-list/1", version, respond)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term or connection.vendor != "postgresql":
            return super().get_search_results(request, queryset, search_term)
        # One subquery: the union of the ids each part finds on its own index (the words of the text on the GIN
        # index, title and organisation fragments on the trigram indexes, the owner on its foreign key, the external
        # id on its unique index). The list then reads only the proposals found instead of testing every row.
        proposals = Proposal.objects.order_by()
        text = (
            proposals.alias(document=proposal_search_vector())
            .filter(document=SearchQuery(term, search_type="websearch", config="english"))
            .values("pk")
        )
        people = User.objects.order_by().filter(Q(email__icontains=term) | Q(full_name__icontains=term))
        parts = [
            text,
            proposals.filter(title__icontains=term).values("pk"),
            proposals.filter(organisation__icontains=term).values("pk"),
            proposals.filter(owner__in=people.values("pk")).values("pk"),
            proposals.filter(external_id=term).values("pk"),
        ]
        with contextlib.suppress(ValueError):
            parts.append(proposals.filter(public_id=uuid.UUID(term)).values("pk"))
        found = parts[0].union(*parts[1:])
        # The list asks four times (count, page, and the date hierarchy twice): look the ids up once and hand them
        # over as a list, unless the search matches so much that the list of ids would be the larger cost.
        ids = [row["pk"] for row in found[: SEARCH_IDS_MAX + 1]]
        if len(ids) <= SEARCH_IDS_MAX:
            return queryset.filter(pk__in=ids), False
        return queryset.filter(pk__in=found), False

    def action_checkbox(self, proposal):
        # Django renders this checkbox through the form widget templates, once per row; the same markup written
        # directly takes about a fifth off the list's server time.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            helpers.ACTION_CHECKBOX_NAME,
            proposal.pk,
            proposal.display_title,
        )

    @admin.display(description="title", ordering="title")
    def title_or_untitled(self, proposal):
        return proposal.display_title

    @admin.display(description="principal investigator", ordering="owner__full_name")
    def principal_investigator(self, proposal):
        return format_html(
            '{}<br><span class="desk-muted">{}</span>',
            proposal.owner.display_name,
            proposal.organisation or "No organisation given",
        )

    @admin.display(description="submitted", ordering=F("last_submitted_at").desc(nulls_last=True))
    def submitted(self, proposal):
        if proposal.last_submitted_at is None:
            return "Not yet"
        return date_format(timezone.localtime(proposal.last_submitted_at), "j M Y")

    @admin.display(description="call", ordering="call__code")
    def call_code(self, proposal):
        return proposal.call.code if proposal.call_id else "Unsolicited"

    @admin.display(description="best match", ordering=F("best_score").desc(nulls_last=True))
    def best_match_display(self, proposal):
        best = proposal.best_match
        if not best:
            return "Not scored" if proposal.matched_at is None else "No match"
        return format_html(
            '{}<br><span class="desk-muted">{} · {} · {}</span>',
            best["name"],
            best["provider"],
            f"{best['score']:.0f}",
            Fit(best["fit"]).label.lower() if best.get("fit") in Fit.values else "",
        )

    @admin.display(description="fit", ordering="fits_total")
    def matches_that_fit(self, proposal):
        return proposal.fits_total

    @admin.display(description="review average", ordering=F("review_avg").desc(nulls_last=True))
    def review_average(self, proposal):
        panel = ""
        if proposal.assigned_total:
            panel = f" · {proposal.assigned_in} of {proposal.assigned_total} assigned in"
        if proposal.review_avg is None:
            if not panel:
                return "none yet"
            return format_html('none yet<br><span class="desk-muted">{}</span>', panel.removeprefix(" · "))
        count = proposal.review_total
        return format_html(
            '{}<br><span class="desk-muted">{} review{}{}</span>',
            f"{proposal.review_avg:.2f}",
            count,
            "" if count == 1 else "s",
            panel,
        )

    # --- The proposal page ------------------------------------------------------------------------------------

    @admin.display(description="page on the site")
    def site_page(self, proposal):
        if not proposal.pk:
            return "-"
        return format_html('<a href="{}">{}</a>', proposal.get_absolute_url(), proposal.get_absolute_url())

    @admin.display(description="research areas")
    def research_areas_display(self, proposal):
        return ", ".join(proposal.get_research_areas_display()) or "None given"

    @admin.display(description="hardware needed")
    def needs_display(self, proposal):
        return ", ".join(proposal.get_needs_display()) or "Not stated"

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(lambda request, *args, **kwargs: function(request, self, *args, **kwargs))

        return [
            path("dashboard/", view(desk_views.dashboard), name="projects_proposal_dashboard"),
            path("<path:object_id>/status/", view(desk_views.move_status), name="projects_proposal_status"),
            path("<path:object_id>/rescore/", view(desk_views.rescore), name="projects_proposal_rescore"),
            path("<path:object_id>/review/", view(desk_views.review), name="projects_proposal_review"),
            path("<path:object_id>/export/", view(desk_views.export_one), name="projects_proposal_export"),
            *super().get_urls(),
        ]

    def get_object(self, request, object_id, from_field=None):
        # The page asks twice (change_view for the desk's panels, then Django's form view): one query, with the
        # principal investigator and the call its fields show.
        asked = (object_id, from_field)
        if getattr(request, "_desk_proposal_asked", None) != asked:
            # Without the list's figures (aliases the page does not use, but costly to build).
            queryset = super().get_queryset(request).select_related("owner", "call")
            model = queryset.model
            field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
            try:
                request._desk_proposal = queryset.get(**{field.name: field.to_python(object_id)})
            except (model.DoesNotExist, ValidationError, ValueError):
                request._desk_proposal = None
            request._desk_proposal_asked = asked
        return request._desk_proposal

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, unquote(object_id))
        if proposal is None:
            return super().change_view(request, object_id, form_url, extra_context)
        # The digest of every row the page shows (None on other databases): it keys the page kept whole, and the
        # matches' markup kept on its own.
        rows = page_rows.desk_page(proposal.pk) if request.method == "GET" else None

        def respond():
            context = {**(extra_context or {}), **self.desk_context(request, proposal, rows)}
            return super(ProposalAdmin, self).change_view(request, object_id, form_url, context)

        return _kept_for_staff(request, "desk-page/1", rows, respond)

    def desk_context(self, request, proposal, rows: str | None = None) -> dict:
        """What the proposal page shows besides the fields: actions, matches, near misses, reviews."""
        user = request.user
        matches = list(
            Match.objects.filter(proposal=proposal).select_related("capability__organisation").order_by("rank")
        )
        with_members = set(
            Membership.objects.filter(
                organisation__in={match.capability.organisation_id for match in matches}, user__is_active=True
            ).values_list("organisation_id", flat=True)
        )
        for match in matches:
            match.introduce_url = introduce_url(proposal, match.capability)
            match.provider_has_members = match.capability.organisation_id in with_members
            match.checks = match.criteria
        proposal_reviews = list(
            proposal.reviews.exclude(conflict_of_interest=False, submitted_at=None)  # drafts are the reviewer's own
            .select_related("reviewer")
            .order_by("created_at", "id")
        )
        overall = [review.overall for review in proposal_reviews if review.overall is not None]
        moves = allowed_moves(proposal, user)
        team = list(proposal.co_investigators.select_related("user"))
        files = list(proposal.attachments.select_related("uploaded_by"))
        history = list(proposal.status_changes.select_related("changed_by").order_by("changed_at", "id"))
        return {
            "desk": {
                "can_act": self.has_desk_permission(request, proposal),
                "moves": moves,
                "status_form": StatusMoveForm(statuses=moves, auto_id="status_%s"),
                "matches": [match for match in matches if not match.is_near_miss],
                # The matches' markup is kept under this key (projects.domain.suggestions.desk_rendering_key).
                "matches_key": suggestions.desk_rendering_key(proposal, matches, with_members, rows),
                "matches_seconds": page_cache.RENDERING_SECONDS,
                "near_misses": [match for match in matches if match.is_near_miss],
                "reviews": proposal_reviews,
                "review_criteria": [label for _name, label in REVIEW_CRITERIA],
                "review_average": sum(overall) / len(overall) if overall else None,
                "review_total": len(overall),
                "my_review": next((r for r in proposal_reviews if r.reviewer_id == user.pk), None),
                "review_refusal": reviews.review_refusal(proposal, user),
                "is_open": proposal.is_open,
                "team": team,
                "files": files,
                "history": history,
            },
            "introductions": proposal_introductions(proposal),
            "introduction_requests": list(
                proposal.introduction_requests.waiting().select_related("organisation", "requested_by")
            ),
        }


def _kept_for_staff(request, page: str, rows: str | None, respond):
    """A desk page kept whole for one member of staff, with the same rights, at the same address, while ``rows`` (a
    digest or the stamp of what it shows) and the minute stay the same; rendered by ``respond`` when not kept (and
    always when ``rows`` is None)."""
    if rows is None:
        return respond()
    rights = app_list_key(request.user, None)
    key = page_cache.kept_key(page, rows, request.user, rights, request.get_full_path(), minute())
    return page_cache.kept_response(request, key, respond)


def _names(row):
    return row if isinstance(row, tuple | list) else (row,)
