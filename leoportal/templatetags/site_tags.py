"""The site's menu, kept rendered per viewer."""

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from leoportal.domain.page_cache import blank_tokens, fill_tokens, markup_key

register = template.Library()

NAV_TEMPLATE = "leoportal/_nav.html"
NAV_SECONDS = 3600


@register.simple_tag(takes_context=True)
def site_nav(context):
    """The menu of every page (templates/leoportal/_nav.html): a dozen links and the account menu, about a millisecond
    of each signed-in page. For a signed-in user it is kept under everything it shows (who they are, their role, the
    part of the site, the unread count) with its sign-out form's token blank, filled with a fresh token of the
    user's own at each page. A visitor's is rendered each time (their public pages are kept whole)."""
    nav = context.template.engine.get_template(NAV_TEMPLATE)
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return nav.render(context)
    key = "site-nav:" + markup_key(
        user.pk,
        user.display_name,
        user.role,
        user.is_staff,
        context.get("nav_section"),
        str(context.get("unread_notifications", "")),
    )
    kept = cache.get(key)
    if kept is None:
        kept = blank_tokens(nav.render(context).encode())
        cache.set(key, kept, NAV_SECONDS)
    return mark_safe(fill_tokens(context.request, kept).decode())  # noqa: S308 -- our own template's markup
