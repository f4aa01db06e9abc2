"""The admin site of program staff (the review desk).

It differs from Django's in three ways:

* It has no sign-in of its own. ``/admin/login/`` sends people to the site's sign-in (django-allauth), so the
  admin is reached through the same failed-attempt limits, lock message and second factor as the rest of the site
  (leoportal/domain/second_factor.py), and a password posted to ``/admin/login/`` is never checked.
* A changelist refuses malformed requests with a message instead of failing: a date of the date hierarchy that
  no calendar has (``?created_at__year=99999999999999999999``) and an action on rows selected by something that
  is not an id (``_selected_action=abc``) send staff back to the list, which says what was wrong.
* The list of apps and models an account may use (the sidebar's, and the admin's home) is built once per kind of
  account in each process (``get_app_list``): Django builds it for every admin page, even those without a sidebar.
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

    APP_LISTS_KEPT = 100

    def __init__(self, name="admin"):
        super().__init__(name)
        # The app lists built so far in this process, by what they depend on (app_list_key): a few kinds of account.
        self._app_lists: dict[tuple, list[dict]] = {}

    def get_app_list(self, request, app_label=None):
        """Django's list of the apps and models ``request.user`` may use, built once for each kind of account: Django
        builds it for every admin page (``each_context``'s ``available_apps``, the sidebar's list), and building it
        asks every model's admin for four permissions (about a tenth of the admin's list of proposals)."""
        key = app_list_key(request.user, app_label)
        app_list = self._app_lists.get(key)
        if app_list is None:
            if len(self._app_lists) >= self.APP_LISTS_KEPT:
                self._app_lists.clear()
            app_list = self._app_lists[key] = super().get_app_list(request, app_label)
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in app_list]  # the caller's own

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin) and view.__name__ == "changelist_view":
            view = _refusing_malformed_requests(model_admin, view)
        return super().admin_view(view, cacheable)


def app_list_key(user, app_label) -> tuple:
    """What decides which apps and models an account sees in the admin, and what it may do with each: every
    permission of the admin comes from its account's state (the rules in each app's ``rules.py``: active program
    staff; a superuser may do everything) or from the permissions granted to it and its groups. The admins'
    ``has_*_permission`` methods look at nothing else, and the registry and the URLs are fixed once the process
    has started."""
    granted = frozenset() if user.is_superuser else frozenset(user.get_all_permissions())
    return (user.is_active, user.is_staff, user.is_superuser, user.role, granted, app_label)


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
