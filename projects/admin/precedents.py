"""Flight precedents in the admin: program staff list, search, filter, add and correct them, with their history.

Curated precedents come from files (``manage.py import_precedents``) and can be corrected here. Portal precedents
are recorded from an introduction ("Record a flight"); their text is a copy of the proposal's, visible here because
this is program staff's admin, and their identifier, proposal and listing stay as recorded. Every save and delete
goes through projects/domain/precedents.py, so the matcher rescores what the change could move.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from leoportal.fields import TriStateField
from partners.models import Capability
from projects.domain import precedents
from projects.enums import PrecedentOrigin
from projects.models import Precedent

RECORD_FIELDS = ["proposal_link", "introduction_link", "recorded_by", "created_at", "updated_at"]


@admin.register(Precedent)
class PrecedentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "listing_names", "origin", "flight_status", "confidence"]
    list_filter = [("listings", admin.RelatedOnlyFieldListFilter), "year", "origin", "flight_status", "confidence"]
    search_fields = ["title", "summary", "team", "=external_id"]
    ordering = ["-year", "title", "pk"]
    autocomplete_fields = ["listings"]
    fieldsets = [
        (None, {"fields": ["external_id", "title", "summary", "origin"]}),
        (
            "What it needed",
            {
                "fields": [
                    "research_areas",
                    "sample_type",
                    "needs",
                    "crew_time",
                    "duration_days",
                    "sample_return",
                    "variable_gravity",
                ]
            },
        ),
        ("The flight", {"fields": ["listings", "year", "flight_status", "team", "sources", "confidence"]}),
    ]
    portal_fieldsets = [
        *fieldsets,
        (
            "Recorded on the portal (confidential: the text above is the proposal's)",
            {"fields": RECORD_FIELDS},
        ),
    ]

    def get_queryset(self, request):
        listings = Capability.objects.only("name", "external_id").order_by("name", "pk")
        return super().get_queryset(request).prefetch_related(Prefetch("listings", queryset=listings))

    def get_fieldsets(self, request, obj=None):
        return self.portal_fieldsets if obj is not None and obj.is_portal else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["origin", "flight_status"]  # what staff add here is a curated flight
        if obj.is_portal:
            # The id, listing and flight are the record staff made from the introduction: record again to change.
            return ["external_id", "origin", "listings", "flight_status", *RECORD_FIELDS]
        return ["external_id", "origin", "flight_status"]  # the id ties the row to its file

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # "Not stated" stays distinct from "no": Yes / No / Not stated radios, as for listings and proposals.
        if isinstance(db_field, models.BooleanField) and db_field.null:
            return TriStateField(label=capfirst(db_field.verbose_name), required=False, help_text=db_field.help_text)
        if db_field.name in ("title", "team"):
            kwargs["widget"] = forms.TextInput(attrs={"class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="listings that flew it")
    def listing_names(self, precedent):
        return ", ".join(listing.name for listing in precedent.listings.all()) or "None (deleted)"

    @admin.display(description="proposal")
    def proposal_link(self, precedent):
        if precedent.proposal_id is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:projects_proposal_change", args=[precedent.proposal_id]),
            precedent.proposal.display_title,
        )

    @admin.display(description="recorded from")
    def introduction_link(self, precedent):
        if precedent.introduction_id is None:
            return "-"
        return format_html(
            '<a href="{}">the introduction to {}</a>',
            reverse("admin:projects_introduction_change", args=[precedent.introduction_id]),
            precedent.introduction.organisation.name,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.origin = PrecedentOrigin.CURATED
        obj._evidence_before = precedents.evidence_of(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        precedents.precedent_changed(form.instance, form.instance._evidence_before)

    def delete_model(self, request, obj):
        precedents.delete_precedent(obj)

    def delete_queryset(self, request, queryset):
        for precedent in queryset:
            precedents.delete_precedent(precedent)
