"""The site's menu and the main content of signed-in pages, kept rendered per viewer (leoportal.domain.page_cache)."""

from django import template
from django.utils.safestring import mark_safe

from leoportal.domain.page_cache import KeptContent, markup_key

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
    shown = (
        user.pk,
        user.display_name,
        user.role,
        user.is_staff,
        context.get("nav_section"),
        str(context.get("unread_notifications", "")),
    )
    menu = KeptContent("site-nav:" + markup_key(*shown), NAV_SECONDS)
    if menu.missing:
        menu.keep(nav.render(context))
    return mark_safe(menu.filled(context.request))  # noqa: S308 -- our own template's markup


class KeepNode(template.Node):
    def __init__(self, nodelist, content):
        self.nodelist = nodelist
        self.content = template.Variable(content)

    def render(self, context):
        content = self.content.resolve(context)
        if content.missing:
            content.keep(self.nodelist.render(context))
        return mark_safe(content.filled(context.request))  # noqa: S308 -- our own templates' markup


@register.tag
def keep(parser, token):
    """``{% keep content %}…{% endkeep %}``: the page's main content, kept rendered per viewer and version of what it
    shows (``content``: a leoportal.domain.page_cache.KeptContent made by the view). Shown from the cache when kept,
    rendered and kept otherwise; its forms' CSRF tokens are each viewer's own and fresh."""
    try:
        _tag, content = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("{% keep %} takes one argument: the view's KeptContent.") from None
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(nodelist, content)
