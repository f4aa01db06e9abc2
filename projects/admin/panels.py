"""Review panels in the admin: read-only lists staff look things up in (who is on which panel, who was invited,
what each reviewer knows, who reviews what).

Panels are run from a call's page ("Invite reviewers and assign proposals", projects/admin/panel_views.py), which
checks invitations, conflicts of interest and the call's numbers; nothing here writes but the review rounds (edited
with their call, as an inline, or one by one here). The suggestion job's proposals are shown and accepted on that page
only.
"""

from django.contrib import admin

from projects.admin.team import ReadOnlyAdmin
from projects.models import PanelMember, ReviewAssignment, ReviewerInvitation, ReviewerProfile, ReviewRound


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "research_areas", "keywords", "updated_at"]
    list_filter = ["updated_at"]
    search_fields = ["user__email", "user__full_name", "keywords", "bio"]
    list_select_related = ["user"]


@admin.register(PanelMember)
class PanelMemberAdmin(ReadOnlyAdmin):
    list_display = ["reviewer", "call", "joined_at"]
    list_filter = ["call", "joined_at"]
    search_fields = ["reviewer__email", "reviewer__full_name", "call__code", "call__title"]
    list_select_related = ["reviewer", "call"]
    date_hierarchy = "joined_at"


@admin.register(ReviewerInvitation)
class ReviewerInvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "call", "invited_by", "created_at", "expires_at", "sent_at", "accepted_at", "revoked_at"]
    list_filter = [
        "call",
        ("sent_at", admin.EmptyFieldListFilter),
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "call__code", "call__title"]
    list_select_related = ["call", "invited_by"]
    exclude = ["token_hash"]
    date_hierarchy = "created_at"


@admin.register(ReviewRound)
class ReviewRoundAdmin(admin.ModelAdmin):
    """Every call's review rounds. A round must close after it opens and not overlap another of its call; one that
    holds assignments cannot be deleted (change its dates instead)."""

    list_display = ["name", "call", "opens_at", "closes_at"]
    list_filter = ["call", "closes_at"]
    search_fields = ["name", "call__code", "call__title"]
    list_select_related = ["call"]
    date_hierarchy = "closes_at"
    fields = ["call", "name", "opens_at", "closes_at", "updated_at"]
    readonly_fields = ["updated_at"]


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["reviewer", "proposal", "round", "source", "assigned_by", "assigned_at", "reason"]
    list_filter = ["source", "assigned_at"]
    search_fields = ["reviewer__email", "reviewer__full_name", "proposal__title", "reason"]
    list_select_related = ["reviewer", "proposal", "assigned_by", "round"]
    date_hierarchy = "assigned_at"
