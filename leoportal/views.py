from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_GET

from partners.queries import public_catalogue_counts
from projects.queries import open_call_count


@require_GET
def home(request):
    catalogue = public_catalogue_counts()
    counts = {
        "open_calls": open_call_count(),
        "published_capabilities": catalogue["capabilities"],
        "providers": catalogue["providers"],
    }
    return render(request, "leoportal/home.html", {"counts": counts})


@login_required
@require_GET
def dashboard(request):
    """Send each role to its own dashboard."""
    user = request.user
    if user.is_staff:
        return redirect("admin:index")
    if user.is_provider:
        return redirect("partners:dashboard")
    return redirect("projects:dashboard")


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No request context: the failure may be the database that context processors would query.
    return HttpResponseServerError(loader.get_template("500.html").render())
