"""Display helpers for proposals: status badges, "not stated" values, money and temperatures."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from projects.enums import ProposalStatus

register = template.Library()

NOT_STATED = mark_safe('<span class="not-stated">Not stated</span>')


@register.simple_tag
def status_badge(status):
    """The proposal's status as a badge; its colour comes from site.css, by status (`data-status`)."""
    status = ProposalStatus(status)
    return format_html('<span class="status-badge" data-status="{}">{}</span>', status, status.label)


@register.filter
def tristate(value):
    """Yes / No / Not stated: "not stated" is never shown as "no"."""
    if value is None:
        return NOT_STATED
    return "Yes" if value else "No"


@register.filter
def stated(value, unit=""):
    """The value (with its unit), or "Not stated"."""
    if value is None or value == "" or value == []:
        return NOT_STATED
    if isinstance(value, Decimal):
        value = f"{value.normalize():f}"
    return f"{value} {unit}".strip() if unit else value


@register.filter
def usd(value):
    if value is None:
        return NOT_STATED
    return f"${value:,.0f}" if value == value.to_integral_value() else f"${value:,.2f}"


@register.filter
def filesize(size_bytes):
    if size_bytes < 1024 * 1024:
        return f"{max(1, round(size_bytes / 1024))} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"
