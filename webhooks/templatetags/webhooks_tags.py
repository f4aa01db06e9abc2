from django import template

from webhooks.rules import can_manage_webhooks

register = template.Library()


@register.inclusion_tag("webhooks/_organisation_section.html", takes_context=True)
def webhooks_section(context, organisation):
    """The organisation page's webhooks section: how many endpoints, how many disabled, a link to manage them."""
    endpoints = list(organisation.webhooks.values_list("is_active", flat=True))
    return {
        "organisation": organisation,
        "count": len(endpoints),
        "disabled": endpoints.count(False),
        "is_admin": can_manage_webhooks(context["request"].user, organisation),
    }
