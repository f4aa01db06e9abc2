"""Display helpers for proposals: status and fit badges, match explanations, "not stated" values, money and
temperatures."""

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from projects.domain.submission import format_usd
from projects.enums import Fit, ProposalStatus
from projects.matching.explain import for_provider, group_checks

register = template.Library()

NOT_STATED = mark_safe('<span class="not-stated">Not stated</span>')


@register.simple_tag
def status_badge(status):
    """The proposal's status as a badge; its colour comes from site.css, by status (`data-status`)."""
    status = ProposalStatus(status)
    return format_html('<span class="status-badge" data-status="{}">{}</span>', status, status.label)


@register.simple_tag
def fit_badge(fit):
    """Fits / To confirm / Does not fit, as a badge (styled by its data-fit); nothing for a blank value."""
    if not fit:
        return ""
    fit = Fit(fit)
    return format_html('<span class="fit-badge" data-fit="{}">{}</span>', fit, fit.label)


@register.filter
def fit_label(fit):
    """Fits / To confirm / Does not fit, as words; nothing for a blank value."""
    return Fit(fit).label if fit else ""


@register.filter
def check_groups(criteria):
    """A match's checks grouped as a reader scans them: Fits, To confirm with the provider, Does not fit, About
    this facility (projects.matching.explain.group_checks)."""
    return group_checks(criteria)


# The headings a provider reads instead, where they differ from the researcher's (projects.matching.explain.GROUPS).
PROVIDER_HEADINGS = {
    "to_confirm": "To confirm with the researcher",
    "part": "Covers part of the hardware the researcher needs",
    "about": "About your facility",
}


@register.simple_tag
def check_list(checks, provider=False, list_class="criteria"):
    """A match's checks as a list, each with its outcome; with ``provider`` the sentences speak to the provider.

    Written in Python rather than as a template: a proposal's page shows a dozen matches of a dozen checks each,
    and a template included for each list took a fifth of the page's rendering."""
    items = format_html_join(
        "",
        '<li data-check="{}"><span class="criterion criterion-{}">{}</span> <span>{}</span></li>',
        (
            (name, outcome, outcome, for_provider(detail) if provider else detail)
            for name, outcome, detail in map(_check_parts, checks)
        ),
    )
    return format_html('<ul class="{}">{}</ul>', list_class, items)


@register.simple_tag
def check_groups_list(criteria, provider=False):
    """A match's checks in groups (Fits / To confirm / Does not fit / About this facility), each a ``check_list``."""
    headings = PROVIDER_HEADINGS if provider else {}
    groups = format_html_join(
        "",
        '<div class="match-group" data-group="{}"><h4>{} <span class="text-body-secondary fw-normal">({})</span>'
        "</h4>{}</div>",
        (
            (key, headings.get(key, heading), len(checks), check_list(checks, provider))
            for key, heading, checks in group_checks(criteria)
        ),
    )
    return format_html('<div class="check-groups" data-check-groups>{}</div>', groups)


def _check_parts(check) -> tuple[str, str, str]:
    if isinstance(check, dict):
        return check["name"], check["outcome"], check["detail"]
    return check.name, check.outcome, check.detail


@register.filter
def to_provider(sentence):
    """A check's sentence addressed to the provider ("the researcher needs 18-22 C; you have not stated...")."""
    return for_provider(sentence)


@register.filter
def tristate(value):
    """Yes / No / Not stated: "not stated" is never shown as "no"."""
    if value is None:
        return NOT_STATED
    return "Yes" if value else "No"


@register.filter
def stated(value, unit=""):
    """The value (with its unit), or "Not stated"."""
    if value is None or value in ("", []):
        return NOT_STATED
    if isinstance(value, Decimal):
        value = f"{value.normalize():f}"
    return f"{value} {unit}".strip() if unit else value


@register.filter
def usd(value):
    if value is None:
        return NOT_STATED
    return format_usd(value)


@register.filter
def filesize(size_bytes):
    if size_bytes < 1024 * 1024:
        return f"{max(1, round(size_bytes / 1024))} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"
