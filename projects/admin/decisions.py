"""Decision e-mails in the admin: every call's templates (also edited on the call's page), and every e-mail a
decision drafted, read-only here: staff edit and send them in the decision outbox (projects/views/decisions.py)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from projects.admin.team import ReadOnlyAdmin
from projects.models import DecisionEmail, DecisionTemplate
from projects.models.decisions import PLACEHOLDERS


@admin.register(DecisionTemplate)
class DecisionTemplateAdmin(admin.ModelAdmin):
    list_display = ["call", "decision", "subject", "updated_at"]
    list_filter = ["decision", "call"]
    search_fields = ["call__code", "subject", "body"]
    list_select_related = ["call"]
    fields = ["call", "decision", "subject", "body"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        known = ", ".join(f"{{{name}}} {meaning}" for name, meaning in PLACEHOLDERS.items())
        form.base_fields["body"].help_text = f"Placeholders: {known}."
        return form


@admin.register(DecisionEmail)
class DecisionEmailAdmin(ReadOnlyAdmin):
    list_display = ["subject", "proposal", "decision", "created_at", "sent_at", "outbox_page"]
    list_filter = ["decision", ("sent_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["subject", "body", "proposal__title"]
    list_select_related = ["proposal"]
    exclude = ["status_change"]
    date_hierarchy = "created_at"

    @admin.display(description="in the outbox")
    def outbox_page(self, email):
        url = reverse("projects:decision_email", args=[email.public_id])
        return format_html('<a href="{}">{}</a>', url, "Read" if email.sent_at else "Edit and send")
