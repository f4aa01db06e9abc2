"""Organisations' webhooks and their deliveries, for program staff to see what was sent and what came back
(read-only: the organisation's administrators manage their endpoints; the secret is never shown here)."""

from django.contrib import admin

from webhooks.models import Attempt, Delivery, Endpoint


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Endpoint)
class EndpointAdmin(ReadOnly):
    list_display = ["url", "organisation", "is_active", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["organisation"]
    search_fields = ["url", "organisation__name", "=public_id"]
    fields = readonly_fields = [
        "public_id",
        "organisation",
        "url",
        "events",
        "description",
        "is_active",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "secret_rotated_at",
        "created_by",
        "created_at",
    ]


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    fields = readonly_fields = ["number", "started_at", "duration_ms", "status_code", "response", "error"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["event", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["endpoint__organisation"]
    search_fields = ["endpoint__url", "endpoint__organisation__name", "=public_id"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    fields = readonly_fields = [
        "public_id",
        "endpoint",
        "event",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_response",
        "last_error",
        "created_at",
        "delivered_at",
    ]
