from django.conf import settings
from django.utils.functional import SimpleLazyObject

from leoportal.domain.notifications import unread_count


def site(request):
    context = {
        "SITE_NAME": "LEO Portal",
        "SITE_URL": settings.SITE_URL,
        # The part of the site a page belongs to, for the navigation's "you are here" ("calls", "catalogue"...).
        "nav_section": request.path.strip("/").split("/", 1)[0],
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: counted once, and only on pages that show the bell (not the admin's).
        context["unread_notifications"] = SimpleLazyObject(lambda: unread_count(user))
    return context
