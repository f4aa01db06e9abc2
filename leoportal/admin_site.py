"""The admin site of program staff (the review desk).

It differs from Django's in two ways:

* It has no sign-in of its own. ``/admin/login/`` sends people to the site's sign-in (django-allauth), so the
  admin is reached through the same failed-attempt limits, lock message and second factor as the rest of the site
  (leoportal/domain/second_factor.py), and a password posted to ``/admin/login/`` is never checked.
* A changelist refuses malformed requests with a message instead of failing: a date of the date hierarchy that
  no calendar has (``?created_at__year=99999999999999999999``) and an action on rows selected by something that
  is not an id (``_selected_action=abc``) send staff back to the list, which says what was wrong.
"""

from datetime import date

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class StaffAdminSite(admin.AdminSite):
    site_header = "LEO Portal program staff"
    site_title = "LEO Portal admin"
    index_title = "Review desk"

    def login(self, request, extra_context=None):
        """Send people to the site's sign-in, and back to the admin page they asked for once signed in."""
        index = reverse("admin:index", current_app=self.name)
        wanted = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
            wanted = index
        if request.user.is_authenticated and request.user.is_active:
            if request.user.is_staff:
                return HttpResponseRedirect(wanted)
            return render(request, "leoportal/staff_only.html", status=403)
        return redirect_to_login(wanted, reverse("account_login"))

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin) and view.__name__ == "changelist_view":
            view = _refusing_malformed_requests(model_admin, view)
        return super().admin_view(view, cacheable)


def _refusing_malformed_requests(model_admin, changelist_view):
    def checked(request, *args, **kwargs):
        problem = date_hierarchy_problem(model_admin, request.GET)
        if problem:
            messages.error(request, problem)
            return HttpResponseRedirect(_without_date_hierarchy(model_admin, request))
        if request.method == "POST" and "action" in request.POST:
            problem = selection_problem(model_admin, request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
            if problem:
                messages.error(request, problem)
                return HttpResponseRedirect(request.get_full_path())
        return changelist_view(request, *args, **kwargs)

    checked.__name__ = changelist_view.__name__
    return checked


def _date_parts(model_admin, query) -> dict[str, str]:
    field = model_admin.date_hierarchy
    if not field:
        return {}
    return {part: query[f"{field}__{part}"] for part in ("year", "month", "day") if f"{field}__{part}" in query}


def date_hierarchy_problem(model_admin, query) -> str | None:
    """What is wrong with the date hierarchy's year, month and day in ``query``, or None if they make a date."""
    parts = _date_parts(model_admin, query)
    if not parts:
        return None
    shown = _shortened("-".join(parts[part] for part in ("year", "month", "day") if part in parts))
    try:
        date(*(int(parts.get(part, 1)) for part in ("year", "month", "day")))
    except (ValueError, OverflowError):
        return f"“{shown}” is not a date in the calendar (years 1 to 9999): the list shows every date instead."
    return None


def _shortened(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else f"{value[: limit - 1]}…"


def _without_date_hierarchy(model_admin, request) -> str:
    query = request.GET.copy()
    for part in ("year", "month", "day"):
        query.pop(f"{model_admin.date_hierarchy}__{part}", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def selection_problem(model_admin, selected: list[str]) -> str | None:
    """Why the ids of the rows selected for an action are not ids of this list, or None when they all are."""
    pk = model_admin.model._meta.pk
    smallest, largest = connection.ops.integer_field_range(pk.get_internal_type()) or (None, None)
    for value in selected:
        try:
            key = pk.to_python(value)
        except (ValidationError, OverflowError):
            key = None
        if key is None or key == "" or (isinstance(key, int) and not smallest <= key <= largest):
            return (
                f"The selection could not be read (“{_shortened(value)}” is not a row of this list), so nothing "
                "was done. Tick the rows again and choose the action."
            )
    return None
