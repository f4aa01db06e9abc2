"""What leoportal's app configurations set up: its own (job kinds, outboxes), the admin's (every date-and-time
field names its two boxes) and the static files' allow-list of the front-end packages."""

from django.apps import apps
from django.contrib import admin
from django.contrib.staticfiles.finders import get_finders

from leoportal.apps import LeoPortalConfig, StaffAdminConfig
from leoportal.backends.staticfiles import ProjectFilesFinder
from partners.models import Invitation
from projects.models import Call, ReviewRound


def test_leoportal_runs_its_own_app_config():
    # Its ready() registers the job kinds and the outboxes: with Django's plain AppConfig none would be.
    assert type(apps.get_app_config("leoportal")) is LeoPortalConfig
    assert type(apps.get_app_config("admin")) is StaffAdminConfig


def test_the_vendor_allow_list_names_files_that_exist_and_leaves_the_project_files_whole(settings):
    (finder,) = [finder for finder in get_finders() if isinstance(finder, ProjectFilesFinder)]
    listed = {(storage.prefix or "", path) for path, storage in finder.list([])}
    for prefix, names in settings.VENDOR_FILES.items():
        assert {path for where, path in listed if where == prefix} == names
    assert ("", "css/site.css") in listed
    assert ("", "js/site.js") in listed


def test_every_date_and_time_field_of_the_admin_names_its_two_boxes(rf, staff):
    request = rf.get("/admin/")
    request.user = staff
    invitation_form = admin.site._registry[Invitation].get_form(request)()

    boxes = str(invitation_form["expires_at"])

    assert 'aria-label="Expires at: date"' in boxes
    assert 'aria-label="Expires at: time"' in boxes


def test_each_box_of_a_review_round_row_is_named(rf, staff):
    request = rf.get("/admin/")
    request.user = staff
    (rounds,) = [
        inline for inline in admin.site._registry[Call].get_inline_instances(request) if inline.model is ReviewRound
    ]

    row = rounds.get_formset(request)(instance=Call()).empty_form

    assert str(row["name"]).count('aria-label="Round name"') == 1
    assert 'aria-label="Delete this round"' in str(row["DELETE"])
    assert 'aria-label="Opens: date"' in str(row["opens_at"])
