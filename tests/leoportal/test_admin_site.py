"""The admin's sidebar list of apps and models, built once per kind of account (leoportal.admin_site.get_app_list)."""

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from leoportal.models import User
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """The app lists built from the registry, by account email, from an empty memory."""
    admin.site._app_lists.clear()
    built = []
    build = AdminSite._build_app_dict

    def counting(site, request, label=None):
        built.append(request.user.email)
        return build(site, request, label)

    monkeypatch.setattr(AdminSite, "_build_app_dict", counting)
    yield built
    admin.site._app_lists.clear()  # none built while counting outlives the test


def app_list_of(user, app_label=None):
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=user.pk)  # a fresh account each request, as the middleware gives
    return admin.site.get_app_list(request, app_label)


def models_of(app_list, app_label):
    (app,) = [app for app in app_list if app["app_label"] == app_label]
    return {model["object_name"]: model["perms"] for model in app["models"]}


def test_each_admin_page_after_the_first_builds_no_app_list(client, staff, builds):
    client.force_login(staff)

    for url in [reverse("admin:index"), reverse("admin:projects_proposal_changelist"), reverse("admin:index")]:
        assert client.get(url).status_code == 200

    assert builds == [staff.email]


def test_staff_with_the_same_rights_share_one_list_and_get_the_same_one(staff, builds):
    colleague = StaffFactory(email="colleague@example.org")

    first, second = app_list_of(staff), app_list_of(colleague)

    assert second == first
    assert builds == [staff.email]


def test_a_permission_granted_shows_in_the_next_list(staff, builds):
    assert models_of(app_list_of(staff), "leoportal")["User"]["delete"] is False

    staff.user_permissions.add(Permission.objects.get(codename="delete_user"))

    assert models_of(app_list_of(staff), "leoportal")["User"]["delete"] is True
    assert builds == [staff.email, staff.email]


def test_a_superuser_and_an_apps_own_page_have_lists_of_their_own(staff, builds):
    superuser = StaffFactory(email="root@example.org", is_superuser=True)

    app_list_of(staff)
    app_list_of(staff, "projects")
    app_list_of(superuser)

    assert builds == [staff.email, staff.email, superuser.email]


def test_a_list_given_out_is_the_callers_own(staff, builds):
    given = app_list_of(staff)
    given[0]["models"].clear()
    given[0]["models"].append({"name": "Tampered"})

    assert app_list_of(staff)[0]["models"] != given[0]["models"]
