"""What hangs off a proposal, each with its own read-only list: team, invitations, files, status history.

Researchers write all of it through the site; staff look things up here (which invitations went out, who
uploaded what, every status move with its note).
"""

from django.contrib import admin
from django.utils.html import format_html

from projects.models import Attachment, CoInvestigator, Invitation, StatusChange


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CoInvestigator)
class CoInvestigatorAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "email", "organisation", "role", "proposal", "user", "access"]
    list_filter = ["role", "access", ("user", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "organisation", "proposal__title"]
    list_select_related = ["proposal", "user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "proposal_title",
        "access",
        "created_at",
        "expires_at",
        "sent_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["access", ("sent_at", admin.EmptyFieldListFilter), ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "co_investigator__proposal__title"]
    list_select_related = ["co_investigator__proposal"]
    readonly_fields = [field.name for field in Invitation._meta.fields if field.name != "token_hash"]
    exclude = ["token_hash"]
    date_hierarchy = "created_at"

    @admin.display(description="proposal")
    def proposal_title(self, invitation):
        return invitation.co_investigator.proposal.display_title


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "kind", "proposal", "page_count", "size_bytes", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", "uploaded_at"]
    search_fields = ["original_name", "proposal__title"]
    list_select_related = ["proposal", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    fields = ["proposal", "kind", "download", "page_count", "size_bytes", "uploaded_by", "uploaded_at", "public_id"]
    readonly_fields = fields

    @admin.display(description="file")
    def download(self, attachment):
        # Served by the site's permission-checked view: the files have no public URL.
        return format_html('<a href="{}">{}</a>', attachment.get_absolute_url(), attachment.original_name)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "proposal", "from_status", "to_status", "changed_by", "note"]
    list_filter = ["to_status", "from_status", "changed_at"]
    search_fields = ["proposal__title", "note", "changed_by__email"]
    list_select_related = ["proposal", "changed_by"]
    date_hierarchy = "changed_at"
