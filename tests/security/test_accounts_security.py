"""Accounts under attack: guessing passwords, stale sessions, weak passwords, and probing which addresses have
accounts. (tests/leoportal/test_accounts.py has the per-address lockout and the short password at sign-up.)"""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from leoportal.enums import Role
from leoportal.models import User
from tests.factories import PASSWORD, ResearcherFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed login attempts. Try again later."


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_guessing_across_many_addresses_from_one_address_is_throttled(client, researcher):
    for index in range(10):
        response = log_in(client, f"guess{index}@example.org", "wrong-password")
        assert LOCKED not in response.content.decode()

    response = log_in(client, "researcher@example.org", PASSWORD)

    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_login_says_so_next_to_the_form(client, researcher):
    for _ in range(5):
        log_in(client, "researcher@example.org", "wrong-password")

    response = log_in(client, "researcher@example.org", "wrong-password")

    assert [alert.get_text(" ", strip=True) for alert in soup(response).select("form .alert, .alert-danger")] == [
        LOCKED
    ]


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, researcher):
    wrong = log_in(client, "researcher@example.org", "wrong-password")
    unknown = log_in(client, "nobody@example.org", "wrong-password")

    def errors(response):
        return [alert.get_text(" ", strip=True) for alert in soup(response).select(".alert-danger, .invalid-feedback")]

    assert (wrong.status_code, unknown.status_code) == (200, 200)
    assert errors(wrong) == errors(unknown) == ["The email address and/or password you specified are not correct."]


def test_sessions_last_session_cookie_age_and_end_with_the_browser(client, researcher, settings):
    response = log_in(client, "researcher@example.org", PASSWORD)

    assert response.status_code == 302
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert client.session.get_expire_at_browser_close() is True
    cookie = response.cookies["sessionid"]
    assert (cookie["max-age"], cookie["expires"]) == ("", "")  # a browser-session cookie


def test_an_expired_session_must_sign_in_again(client, researcher):
    log_in(client, "researcher@example.org", PASSWORD)
    assert client.get(reverse("projects:dashboard")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    cache.delete(SessionStore(client.session.session_key).cache_key)  # Redis keeps it until the same moment

    response = client.get(reverse("projects:dashboard"))

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/proposals/")


def sign_up(client, password, email="new.person@example.edu"):
    return client.post(
        reverse("account_signup"),
        {
            "role": Role.RESEARCHER,
            "full_name": "New Person",
            "organisation": "Example University",
            "email": email,
            "password1": password,
            "password2": password,
        },
    )


def password_errors(response) -> list[str]:
    return [item.get_text(" ", strip=True) for item in soup(response).select("#id_password1 ~ .invalid-feedback")]


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("abc12", ["This password is too short. It must contain at least 10 characters."]),
        ("password123", ["This password is too common."]),
        ("9081726354", ["This password is entirely numeric."]),
        ("new.person@example.edu", ["The password is too similar to the e-mail address."]),
    ],
)
def test_weak_passwords_are_refused_at_sign_up_with_the_reason(client, password, messages):
    response = sign_up(client, password)

    assert response.status_code == 200
    assert " ".join(password_errors(response)) == " ".join(messages)
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abc12", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("9081726354", "This password is entirely numeric."),
    ],
)
def test_weak_passwords_are_refused_at_password_change(client, researcher, password, message):
    client.force_login(researcher)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": password, "password2": password},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    researcher.refresh_from_db()
    assert researcher.check_password(PASSWORD)


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, researcher):
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    unknown_page = client.get(unknown["Location"]).content
    assert mail.outbox == []

    known = client.post(reverse("account_reset_password"), {"email": "researcher@example.org"})
    known_page = client.get(known["Location"]).content

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert unknown_page == known_page
    assert [message.to for message in mail.outbox] == [["researcher@example.org"]]


def test_signing_up_with_a_taken_address_looks_like_a_new_sign_up(client, researcher):
    taken = sign_up(client, "a-long-unusual-passphrase", email="researcher@example.org")
    fresh = sign_up(client, "a-long-unusual-passphrase", email="someone.new@example.edu")

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert User.objects.filter(email__iexact="researcher@example.org").count() == 1


def test_a_deactivated_account_cannot_sign_in(client):
    ResearcherFactory(email="gone@example.org", is_active=False)

    response = log_in(client, "gone@example.org", PASSWORD)

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    assert client.get(reverse("projects:dashboard")).status_code == 302


def test_too_many_sign_ups_from_one_address_get_a_page_that_says_what_to_do(client):
    answers = [sign_up(client, "a-long-unusual-passphrase", email=f"person{n}@example.edu") for n in range(21)]

    assert [answer.status_code for answer in answers] == [302] * 20 + [429]
    page = soup(answers[-1])
    assert page.h1.get_text(strip=True) == "Too many requests"
    assert (
        page.select_one("main p")
        .get_text(" ", strip=True)
        .startswith("You (or someone on your network) asked for this too often in a short time")
    )


def test_a_confirmation_e_mail_to_an_added_address_is_sent_once_however_often_it_is_asked_for(client, researcher):
    client.force_login(researcher)
    client.post(reverse("account_email"), {"action_add": "", "email": "stranger@example.org"})

    for _ in range(5):
        client.post(reverse("account_email"), {"action_send": "", "email": "stranger@example.org"})

    assert [message.to for message in mail.outbox] == [["stranger@example.org"]]
