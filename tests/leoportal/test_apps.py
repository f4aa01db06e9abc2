"""Which configuration Django uses for each of leoportal's entries in INSTALLED_APPS."""

from django.apps import apps
from django.contrib.staticfiles.finders import get_finders

from leoportal.apps import LeoPortalConfig, StaffAdminConfig
from leoportal.staticfiles import ProjectFilesFinder


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
