"""Program staff run the desk, but cannot raise anyone's privileges (their own included) or set passwords."""

import pytest
from django.urls import reverse

from tests.factories import ResearcherFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db


def change_form_data(page) -> dict:
    form = page.select_one("#user_form")
    data = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        if field.name == "select" and field.has_attr("multiple"):
            data[field["name"]] = [option["value"] for option in field.select("option[selected]")]
        elif field.name == "select":
            chosen = field.select_one("option[selected]")
            data[field["name"]] = chosen["value"] if chosen else ""
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[field["name"]] = "on"
        elif field.name == "textarea":
            data[field["name"]] = field.get_text()
        else:
            data[field["name"]] = field.get("value", "")
    return data


def test_staff_edit_a_profile_but_cannot_make_anyone_staff_or_superuser(client, staff):
    person = ResearcherFactory(full_name="Ada Researcher")
    client.force_login(staff)
    url = reverse("admin:leoportal_user_change", args=[person.pk])
    data = change_form_data(soup(client.get(url)))

    response = client.post(url, {**data, "full_name": "Ada Lovelace", "is_staff": "on", "is_superuser": "on"})
    own = client.post(
        reverse("admin:leoportal_user_change", args=[staff.pk]),
        {
            **change_form_data(soup(client.get(reverse("admin:leoportal_user_change", args=[staff.pk])))),
            "is_superuser": "on",
        },
    )

    person.refresh_from_db()
    staff.refresh_from_db()
    assert (response.status_code, own.status_code) == (302, 302)
    assert (person.full_name, person.is_staff, person.is_superuser, staff.is_superuser) == (
        "Ada Lovelace",
        False,
        False,
        False,
    )


def test_staff_cannot_set_a_password_in_the_admin(client, staff):
    person = ResearcherFactory()
    client.force_login(staff)
    url = reverse("admin:auth_user_password_change", args=[person.pk])

    response = client.post(url, {"password1": "a-new-Passw0rd-123", "password2": "a-new-Passw0rd-123"})

    person.refresh_from_db()
    assert (response.status_code, person.check_password("a-new-Passw0rd-123")) == (403, False)


def test_a_superuser_still_manages_admin_rights(client, staff):
    staff.is_superuser = True
    staff.save()
    person = ResearcherFactory()
    client.force_login(staff)
    url = reverse("admin:leoportal_user_change", args=[person.pk])
    data = change_form_data(soup(client.get(url)))

    response = client.post(url, {**data, "is_staff": "on"})

    person.refresh_from_db()
    assert (response.status_code, person.is_staff) == (302, True)
