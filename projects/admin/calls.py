"""Calls for proposals: program staff create and edit them here."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from leoportal.forms import LabelledSplitDateTime
from projects.admin import panel_views
from projects.domain import decisions, reminders
from projects.enums import CallState
from projects.models import Call, DecisionTemplate, ReviewRound
from projects.models.decisions import PLACEHOLDERS


class CallStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return CallState.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        return {
            CallState.OPEN: queryset.open(now),
            CallState.UPCOMING: queryset.upcoming(now),
            CallState.CLOSED: queryset.closed(now),
        }.get(self.value(), queryset)


class DecisionTemplateInline(admin.StackedInline):
    """The wording of each decision's e-mail for the call. A call saved without them gets the default wording to
    edit; placeholders the portal does not know are refused, named."""

    model = DecisionTemplate
    extra = 0
    fields = ["decision", "subject", "body"]
    verbose_name_plural = "decision e-mails (drafted when staff decide; sent from the decision outbox)"
    classes = ["collapse"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        known = ", ".join(f"{{{name}}} {meaning}" for name, meaning in PLACEHOLDERS.items())
        formset.form.base_fields["body"].help_text = f"Placeholders: {known}."
        return formset


class ReviewRoundFormSet(BaseInlineFormSet):
    """The call's rounds are checked against one another as they are about to be saved (each round's own check
    would compare it with the saved dates of rounds changed in the same save)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance._checked_with_siblings = True
        return form

    def add_fields(self, form, index):
        """A row's boxes are named for screen readers: the table's column headings are not their labels (the dates
        name theirs through LabelledSplitDateTime)."""
        super().add_fields(form, index)
        form.fields["name"].widget.attrs["aria-label"] = "Round name"
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this round"

    def clean(self):
        super().clean()
        kept = [
            form.instance
            for form in self.forms
            if (form.instance.pk or form.has_changed()) and not self._should_delete_form(form) and not form.errors
        ]
        problems = []
        for index, review_round in enumerate(kept):
            problem = review_round.overlap_with(kept[:index])
            if problem:
                problems.append(problem)
        if problems:
            raise ValidationError(problems)


class ReviewRoundInline(admin.TabularInline):
    """The call's review rounds: reviews can be submitted from a round's opening and are due at its close. A round
    holding assignments cannot be deleted (change its dates instead)."""

    model = ReviewRound
    formset = ReviewRoundFormSet
    extra = 0
    fields = ["name", "opens_at", "closes_at"]
    verbose_name_plural = "review rounds (a new assignment joins the round open then, else the next one)"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("opens_at", "closes_at"):
            kwargs["widget"] = LabelledSplitDateTime(capfirst(db_field.verbose_name))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    inlines = [ReviewRoundInline, DecisionTemplateInline]
    list_display = ["code", "title", "opens_at", "closes_at", "state", "concept_step", "funding_cap", "proposal_count"]
    list_filter = [CallStateFilter, "concept_step", "closes_at"]
    search_fields = ["code", "title", "description"]
    date_hierarchy = "closes_at"
    ordering = ["-closes_at"]
    actions = ["remind_unsubmitted"]
    readonly_fields = ["public_id", "created_at", "updated_at", "public_page", "review_panel"]
    fieldsets = [
        (None, {"fields": ["code", "title", "description", "research_areas"]}),
        ("Dates", {"fields": ["opens_at", "closes_at"], "description": "Times are in UTC."}),
        (
            "Scope",
            {
                "fields": ["concept_step", "concept_closes_at", "funding_cap"],
                "description": "With a concept summary first, give its deadline (after the call opens, before the "
                "full-proposal deadline).",
            },
        ),
        (
            "Review panel",
            {
                "fields": ["reviewers_per_proposal", "max_reviews_per_reviewer", "review_panel"],
                "description": "The review rounds, with their dates, are listed below the call.",
            },
        ),
        ("Record", {"fields": ["public_id", "public_page", "created_at", "updated_at"]}),
    ]

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(lambda request, *args, **kwargs: function(request, self, *args, **kwargs))

        return [
            path("<path:object_id>/panel/", view(panel_views.panel), name="projects_call_panel"),
            *super().get_urls(),
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        decisions.ensure_templates(form.instance)  # every decision has wording to edit, the default until changed

    @admin.display(description="review panel")
    def review_panel(self, call):
        if not call.pk:
            return "Save the call first, then invite reviewers."
        return format_html('<a href="{}">Invite reviewers and assign proposals</a>', panel_views.panel_url(call))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("opens_at", "closes_at", "concept_closes_at"):
            kwargs["widget"] = LabelledSplitDateTime(capfirst(db_field.verbose_name))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(proposal_total=Count("proposals"))

    @admin.action(description="Remind every team whose proposal is not submitted yet")
    def remind_unsubmitted(self, request, queryset):
        for call in queryset:
            reminded = reminders.remind_unsubmitted(call, request.user)
            self.message_user(
                request,
                f"{call.code}: reminded {reminded} team{'s' if reminded != 1 else ''} of the deadline"
                if reminded
                else f"{call.code}: every proposal is submitted (or its deadline has passed); nobody to remind.",
                messages.SUCCESS if reminded else messages.WARNING,
            )

    @admin.display(description="state")
    def state(self, call):
        return call.state().label

    @admin.display(description="proposals", ordering="proposal_total")
    def proposal_count(self, call):
        return call.proposal_total

    @admin.display(description="public page")
    def public_page(self, call):
        if not call.pk:
            return "-"
        return format_html('<a href="{}">{}</a>', call.get_absolute_url(), call.get_absolute_url())
