"""Program staff's admin for providers: verify organisations, look after members, invitations and listings.

Verification and listing changes go through the domain functions (or report to the same hook), so the admin
behaves like the rest of the site.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views.decorators.http import require_http_methods
from simple_history.admin import SimpleHistoryAdmin

from leoportal.fields import TriStateField, json_list_contains
from partners.domain import listings, organisations
from partners.enums import Category, ListingAction, PublicationState
from partners.forms import ContactInvitationForm
from partners.models import (
    AvailabilityWindow,
    Capability,
    CapabilityUpload,
    Invitation,
    Membership,
    Organisation,
)


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


class CountryFilter(admin.SimpleListFilter):
    """The organisations' countries, with "Not stated" for those that left it blank."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        countries = Organisation.objects.order_by("country").values_list("country", flat=True).distinct()
        return [(country or "-", country or "Not stated") for country in countries]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(country="" if self.value() == "-" else self.value())


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "verified", "country", "listing_count", "published_count", "created_at"]
    list_filter = ["verified", ("changes_requested_at", admin.EmptyFieldListFilter), CountryFilter, "created_at"]
    list_editable = ["verified"]
    search_fields = ["name", "slug", "contact_email", "website"]
    readonly_fields = ["verified_at", "requested_changes_display", "reach", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "verified", "verified_at", "requested_changes_display", "reach"]}),
        ("Profile", {"fields": ["website", "description", "contact_email", "country"]}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [MembershipInline]
    actions = ["mark_verified", "mark_unverified", "approve_requested_changes", "refuse_requested_changes"]
    date_hierarchy = "created_at"

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)

        class NamedCheckboxes(form):
            """Each row's "verified" box says which organisation it verifies (the column header alone does not)."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["verified"].widget.attrs["aria-label"] = f"Verified: {self.instance.name}"

        return NamedCheckboxes

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                listing_total=Count("capabilities", distinct=True),
                published_total=Count(
                    "capabilities",
                    filter=Q(capabilities__publication=PublicationState.PUBLISHED),
                    distinct=True,
                ),
            )
        )

    @admin.display(description="listings", ordering="listing_total")
    def listing_count(self, organisation):
        return organisation.listing_total

    @admin.display(description="published", ordering="published_total")
    def published_count(self, organisation):
        return organisation.published_total

    def save_model(self, request, obj, form, change):
        verification_changed = "verified" in form.changed_data or (not change and obj.verified)
        if verification_changed:
            obj.verified_at = timezone.now() if obj.verified else None
        super().save_model(request, obj, form, change)
        if verification_changed:
            organisations.report_verification_change(obj)

    @admin.display(description="who receives introductions")
    def reach(self, organisation):
        if organisation.pk is None:
            return "-"
        if organisations.has_members(organisation):
            count = organisation.memberships.filter(user__is_active=True).count()
            return f"{count} member{'s' if count != 1 else ''} on the portal."
        invite = reverse("admin:partners_organisation_invite_contact", args=[organisation.pk])
        pending = organisations.pending_contact_invitation(organisation)
        if pending is not None:
            return format_html(
                'Nobody has joined yet; {} was invited on {} (introductions wait for them). <a href="{}" '
                "data-invite-contact>Invite another contact</a>",
                pending.email,
                f"{pending.created_at:%d %B %Y}",
                invite,
            )
        return format_html(
            'No members on the portal: nobody could receive an introduction. <a href="{}" data-invite-contact>'
            "Invite a contact</a>",
            invite,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/invite-contact/",
                self.admin_site.admin_view(self.invite_contact_view),
                name="partners_organisation_invite_contact",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_http_methods(["GET", "POST"]))
    def invite_contact_view(self, request, object_id):
        """Staff invite a contact for an organisation with no members: they join as its administrator."""
        organisation = self.get_object(request, unquote(object_id))
        if organisation is None or not self.has_change_permission(request, organisation):
            raise Http404("No such organisation.")
        form = ContactInvitationForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    invitation = organisations.invite_contact(
                        organisation, by=request.user, email=form.cleaned_data["email"]
                    )
                except organisations.MembershipError as error:
                    form.add_error("email", error.message)
                else:
                    self.message_user(
                        request,
                        f"{invitation.email} is invited to join {organisation.name} as its administrator.",
                        messages.SUCCESS,
                    )
                    return redirect(reverse("admin:partners_organisation_change", args=[organisation.pk]))
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "organisation": organisation,
            "form": form,
            "has_members": organisations.has_members(organisation),
            "pending": organisations.pending_contact_invitation(organisation),
            "title": f"Invite a contact for {organisation.name}",
        }
        return TemplateResponse(request, "admin/partners/organisation/invite_contact.html", context, status=status)

    @admin.display(description="changes asked for")
    def requested_changes_display(self, organisation):
        if not organisation.requested_changes:
            return "None"
        asked = "; ".join(
            f"{field}: “{value or '(none)'}”" for field, value in sorted(organisation.requested_changes.items())
        )
        who = organisation.changes_requested_by.email if organisation.changes_requested_by else "a member"
        return f"{asked} (asked by {who} on {organisation.changes_requested_at:%d %B %Y %H:%M})"

    @admin.action(description="Mark the selected organisations verified")
    def mark_verified(self, request, queryset):
        changed, refused = 0, []
        for organisation in queryset:
            try:
                with transaction.atomic():
                    changed += organisations.set_organisation_verified(organisation, True)
            except IntegrityError:
                refused.append(organisation.name)
        self.message_user(request, f"{changed} organisation(s) verified.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"Not verified, another verified organisation has the same name: {', '.join(refused)}. Rename one of "
                "them first.",
                messages.ERROR,
            )

    @admin.action(description="Approve the requested name or website changes")
    def approve_requested_changes(self, request, queryset):
        for organisation in queryset.exclude(requested_changes={}):
            try:
                applied = organisations.approve_requested_changes(organisation)
            except organisations.OrganisationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request, f"{organisation.name}: the new {' and '.join(applied)} now show.", messages.SUCCESS
                )

    @admin.action(description="Refuse the requested name or website changes")
    def refuse_requested_changes(self, request, queryset):
        refused = sum(organisations.refuse_requested_changes(organisation) for organisation in queryset)
        self.message_user(request, f"Refused the requested changes of {refused} organisation(s).", messages.SUCCESS)

    @admin.action(description="Withdraw verification of the selected organisations")
    def mark_unverified(self, request, queryset):
        changed = sum(organisations.set_organisation_verified(org, False) for org in queryset)
        self.message_user(request, f"{changed} organisation(s) no longer verified.", messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__verified"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
    readonly_fields = ["public_id", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "state", "invited_by", "created_at", "expires_at", "sent_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    readonly_fields = [
        "public_id",
        "organisation",
        "email",
        "role",
        "invited_by",
        "created_at",
        "sent_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    fields = [*readonly_fields[1:], "expires_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        # Invitations are sent by organisation admins from their page, which e-mails the link.
        return False

    @admin.display(description="state")
    def state(self, invitation):
        return invitation.state


class AvailabilityWindowInline(admin.StackedInline):
    model = AvailabilityWindow
    extra = 0


class CategoryFilter(admin.SimpleListFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return Category.choices

    def queryset(self, request, queryset):
        if self.value() in Category.values:
            return queryset.filter(json_list_contains("categories", self.value()))
        return queryset


@admin.register(Capability)
class CapabilityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "status", "publication", "organisation_verified", "last_confirmed"]
    list_filter = ["publication", "status", "organisation__verified", CategoryFilter, "crew_time", "sample_return"]
    search_fields = ["name", "external_id", "description", "organisation__name", "platform"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["public_id", "published_at", "created_at", "updated_at"]
    inlines = [AvailabilityWindowInline]
    fieldsets = [
        (None, {"fields": ["organisation", "external_id", "name", "public_id"]}),
        (
            "Publication",
            {"fields": ["publication", "published_at", "last_confirmed", "confidence", "sources"]},
        ),
        ("What it is", {"fields": ["platform", "status", "categories", "research_areas", "description"]}),
        (
            "Envelope",
            {
                "fields": [
                    ("temperature_min_c", "temperature_max_c"),
                    "co2_control",
                    "humidity_control",
                    "capacity_units",
                    "max_duration_days",
                    "power_w",
                    "crew_time",
                    "imaging",
                    ("variable_gravity_min_g", "variable_gravity_max_g"),
                    "sample_return",
                    "cold_stowage_c",
                    "biosafety_level",
                    "first_flight_year",
                    "availability_stated",
                ]
            },
        ),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]
    date_hierarchy = "updated_at"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # "Not stated" stays distinct from "no" here too: Yes / No / Not stated radios, not a select or checkbox.
        if isinstance(db_field, models.BooleanField) and db_field.null:
            return TriStateField(label=capfirst(db_field.verbose_name), required=False, help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="provider verified", boolean=True, ordering="organisation__verified")
    def organisation_verified(self, capability):
        return capability.organisation.verified

    def save_model(self, request, obj, form, change):
        if obj.publication == PublicationState.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """Report the change to the same hook as the domain functions (the matcher rescoring listens there)."""
        super().save_related(request, form, formsets, change)
        capability = form.instance
        if not change:
            listings.record_admin_change(capability, ListingAction.CREATED, listings.LISTING_FIELDS)
            if capability.is_published:
                listings.record_admin_change(capability, ListingAction.PUBLISHED, [])
            return
        fields = [name for name in form.changed_data if name != "publication"]
        if any(formset.has_changed() for formset in formsets):
            fields.append(listings.AVAILABILITY)
        if fields:
            listings.record_admin_change(capability, ListingAction.UPDATED, fields)
        if "publication" in form.changed_data:
            action = ListingAction.PUBLISHED if capability.is_published else ListingAction.UNPUBLISHED
            listings.record_admin_change(capability, action, [])

    def delete_model(self, request, obj):
        listings.delete_capability(obj)

    def delete_queryset(self, request, queryset):
        for capability in queryset:
            listings.delete_capability(capability)


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(admin.ModelAdmin):
    """Every published window in one list (edited with their listing, where changes reach the matcher)."""

    list_display = ["capability", "organisation", "start", "end"]
    list_filter = ["start"]
    search_fields = ["capability__name", "capability__organisation__name"]
    list_select_related = ["capability__organisation"]
    date_hierarchy = "start"
    readonly_fields = ["capability", "start", "end"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="provider", ordering="capability__organisation__name")
    def organisation(self, window):
        return window.capability.organisation.name


@admin.register(CapabilityUpload)
class CapabilityUploadAdmin(admin.ModelAdmin):
    list_display = ["filename", "organisation", "uploaded_by", "created_at", "applied_at"]
    list_filter = [("applied_at", admin.EmptyFieldListFilter)]
    search_fields = ["filename", "organisation__name", "uploaded_by__email"]
    list_select_related = ["organisation", "uploaded_by"]
    readonly_fields = ["organisation", "uploaded_by", "filename", "document", "publish_new", "created_at", "applied_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
