"""Malformed requests to the admin's lists answer with a message, never a server error.

Two shapes failed before: a date-hierarchy year too large for a date (``OverflowError``) and an action on a
"selection" that is not an id (``ValueError``). Every registered list is swept for both.
"""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.projects.factories import ProposalFactory
from tests.security.test_permission_matrix import database_state

pytestmark = [pytest.mark.django_db, pytest.mark.broad]

MODEL_ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
# Lists whose rows have number ids (a heartbeat's id is its name: any text may be one).
NUMBERED = [
    (model, model_admin) for model, model_admin in MODEL_ADMINS if model._meta.pk.get_internal_type() != "CharField"
]
WITH_DATES = [(model, model_admin) for model, model_admin in MODEL_ADMINS if model_admin.date_hierarchy]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def label(item) -> str:
    return item[0]._meta.label


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def superuser_client(client, staff):
    """A superuser sees every action of every list (deleting included)."""
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def test_the_proposal_list_with_a_year_too_large_says_so(superuser_client):
    ProposalFactory()
    url = changelist(ProposalFactory._meta.model)

    response = superuser_client.get(url, {"last_submitted_at__year": "99999999999999999999999", "status": "draft"})

    assert (response.status_code, response["Location"]) == (302, f"{url}?status=draft")
    assert messages_of(response) == [
        "“99999999999999999999999” is not a date in the calendar (years 1 to 9999): the list shows every date instead."
    ]
    assert superuser_client.get(response["Location"]).status_code == 200


def test_the_bulk_status_action_on_a_selection_that_is_not_an_id_says_so(superuser_client):
    ProposalFactory()
    url = changelist(ProposalFactory._meta.model)
    before = database_state()

    response = superuser_client.post(url, {"action": "move_status", "_selected_action": "abc", "index": 0})

    assert (response.status_code, response["Location"]) == (302, url)
    assert messages_of(response) == [
        "The selection could not be read (“abc” is not a row of this list), so nothing was done. Tick the rows "
        "again and choose the action."
    ]
    assert database_state() == before


@pytest.mark.parametrize(("model", "model_admin"), WITH_DATES, ids=[label(item) for item in WITH_DATES])
@pytest.mark.parametrize(
    "parts",
    [
        {"year": "99999999999999999999999"},
        {"year": "2026", "month": "99999999999999999999"},
        {"year": "2026", "month": "2", "day": "30"},
        {"year": "0"},
        {"year": "abc"},
    ],
    ids=["huge-year", "huge-month", "no-such-day", "year-zero", "not-a-number"],
)
def test_every_date_hierarchy_refuses_dates_the_calendar_lacks(superuser_client, model, model_admin, parts):
    query = {f"{model_admin.date_hierarchy}__{part}": value for part, value in parts.items()}

    response = superuser_client.get(changelist(model), query)

    assert (response.status_code, response["Location"]) == (302, changelist(model))
    assert [message.endswith("the list shows every date instead.") for message in messages_of(response)] == [True]


@pytest.mark.parametrize(("model", "model_admin"), NUMBERED, ids=[label(item) for item in NUMBERED])
@pytest.mark.parametrize("selected", ["abc", "", "1; DROP TABLE x", "99999999999999999999999999", "-1.5"])
def test_every_action_refuses_a_selection_that_is_not_an_id(superuser_client, model, model_admin, selected):
    url = changelist(model)
    request = superuser_client.get(url).wsgi_request
    actions = list(model_admin.get_actions(request))
    before = database_state()

    answers = {
        action: superuser_client.post(url, {"action": action, "_selected_action": selected, "index": 0}).status_code
        for action in actions
    }

    assert answers == dict.fromkeys(actions, 302)
    assert database_state() == before
