from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from leoportal.celery import app as celery_app
from leoportal.domain.api_tokens import revoke_token
from leoportal.models import (
    ApiToken,
    BackgroundJob,
    FailedTask,
    Notification,
    NotificationPreference,
    User,
    WorkerHeartbeat,
)

# Roles are the user's role field and django-rules predicates (leoportal/rules.py); groups are not used.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff look after people's profiles; only superusers grant admin rights or set passwords (people reset
    their own), so a member of program staff cannot raise their own or anyone's privileges."""

    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "organisation",
        "role",
        "is_staff",
        "is_active",
        "date_joined",
        "last_login",
    ]
    list_filter = ["role", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name", "organisation"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "organisation", "role"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    staff_fieldsets = [
        (None, {"fields": ["email"]}),
        ("Profile", {"fields": ["full_name", "organisation", "role"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "organisation", "role", "password1", "password2"],
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.staff_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return [*self.readonly_fields, "is_staff", "is_superuser"]

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens as staff see them: who holds which, its scope and last use (never the secret, which is not kept);
    revoke one with the action."""

    list_display = ["name", "prefix", "user", "organisation", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__email", "organisation__name"]
    list_select_related = ["user", "organisation"]
    readonly_fields = list_display
    fields = list_display
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # made by their holder (create_api_token), so that only they see the secret

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = sum(revoke_token(token) for token in queryset)
        self.message_user(request, f"{revoked} token(s) revoked.")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at"]
    readonly_fields = ["name", "beat_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "delivery", "read_at", "emailed_at", "digested_at"]
    list_filter = ["kind", "delivery", ("emailed_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["recipient__email", "subject", "dedupe_key"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notification._meta.fields]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Read-only: each person chooses their own deliveries on their notification settings page."""

    list_display = ["user", "kind", "delivery"]
    list_filter = ["kind", "delivery"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "kind", "delivery"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    """What ran in the background for whom, and how it ended. The result files stay their owner's (no link here)."""

    list_display = ["created_at", "label", "owner", "kind", "state", "progress", "finished_at"]
    list_filter = ["state", "kind", "created_at"]
    search_fields = ["label", "owner__email", "error"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    fields = [
        "public_id",
        "owner",
        "kind",
        "label",
        "state",
        "progress_done",
        "progress_total",
        "result_name",
        "summary",
        "error",
        "problems",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="progress")
    def progress(self, job):
        if job.progress_total is None:
            return job.progress_done
        return f"{job.progress_done:,} of {job.progress_total:,}"


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    list_display = ["failed_at", "task_name", "exception", "resolved_at", "resolution"]
    list_filter = ["task_name", ("resolved_at", admin.EmptyFieldListFilter), "failed_at"]
    search_fields = ["task_name", "task_id", "exception"]
    date_hierarchy = "failed_at"
    readonly_fields = [f.name for f in FailedTask._meta.fields if f.name not in ("resolution",)]
    actions = ["retry", "mark_resolved"]

    @admin.action(description="Queue the selected tasks again")
    def retry(self, request, queryset):
        retried = 0
        for failure in queryset.filter(resolved_at__isnull=True):
            celery_app.send_task(failure.task_name, args=failure.args, kwargs=failure.kwargs)
            failure.resolved_at = timezone.now()
            failure.resolution = f"queued again by {request.user.email}"
            failure.save(update_fields=["resolved_at", "resolution"])
            retried += 1
        self.message_user(request, f"Queued {retried} task{'s' if retried != 1 else ''} again.", messages.SUCCESS)

    @admin.action(description="Mark the selected failures resolved")
    def mark_resolved(self, request, queryset):
        count = queryset.filter(resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolution=f"resolved by {request.user.email}"
        )
        self.message_user(request, f"Marked {count} failure{'s' if count != 1 else ''} resolved.", messages.SUCCESS)


class SecondFactorAdmin(admin.ModelAdmin):
    """Who has which second factor, and when it was last used; never its secret. Only a superuser removes one
    (for someone who lost their phone or key: they set up a new one at their next sign-in)."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", "created_at", "last_used_at"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


def register_second_factors() -> None:
    """Show allauth's authenticators without their secrets (allauth's own admin shows every field)."""
    if admin.site.is_registered(Authenticator):
        admin.site.unregister(Authenticator)
    admin.site.register(Authenticator, SecondFactorAdmin)
