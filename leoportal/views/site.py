import hashlib

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_GET

from leoportal.domain import public_pages
from leoportal.domain.page_cache import for_visitors
from partners.domain.queries import public_catalogue_counts, public_category_counts
from projects.domain.queries import open_call_count
from projects.domain.suggestions import landing_example


@require_GET
@for_visitors(lambda: (public_pages.matching(), public_pages.calls_now()))
def home(request):
    """The landing page: what the portal does for each kind of user, the live catalogue figures, a real example
    of a match explained, and the way in for each role (never the admin's sign-in)."""
    figures = catalogue_figures()
    counts = {
        "open_calls": open_call_count(),
        "published_capabilities": figures["capabilities"],
        "providers": figures["providers"],
    }
    context = {"counts": counts, "categories": figures["categories"], "example": figures["example"]}
    return render(request, "leoportal/home.html", context)


@login_required
@require_GET
def dashboard(request):
    """Send each role to its own dashboard."""
    user = request.user
    if user.is_staff:
        return redirect("admin:index")
    if user.is_provider:
        return redirect("partners:dashboard")
    if user.is_reviewer:
        return redirect("projects:review_list")
    return redirect("projects:dashboard")


def catalogue_figures() -> dict:
    """The home page's catalogue figures and example match, kept under the catalogue's fingerprint (two aggregate
    queries instead of five): a listing published, edited or withdrawn, a provider verified or a precedent recorded
    shows at the next visit."""
    key = "home-figures:" + hashlib.sha256(repr(public_pages.matching()).encode()).hexdigest()[:32]
    figures = cache.get(key)
    if figures is None:
        figures = {**public_catalogue_counts(), "categories": public_category_counts(), "example": landing_example()}
        cache.set(key, figures, 3600)
    return figures


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No request context: the failure may be the database that context processors would query.
    return HttpResponseServerError(loader.get_template("500.html").render())
