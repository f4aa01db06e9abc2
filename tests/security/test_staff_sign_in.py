"""How program staff sign in: only through the site's sign-in (throttled), and only with a second factor.

The admin used to have its own sign-in at /admin/login/, with no limit on wrong passwords; it now sends people to
allauth's. Staff reach nothing but their account pages until their session has passed a second factor
(leoportal/domain/second_factor.py); researchers and providers may add one and are then asked for it.
"""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD, STAFF_TOTP_SECRET, ResearcherFactory, StaffFactory
from tests.projects.factories import ProposalFactory
from tests.utils import nav_links, soup, totp_code

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed login attempts. Try again later."
SET_UP_FIRST = (
    "Program staff need a second factor before the review desk opens: add an authenticator app (or a passkey) "
    "below. You will be asked for it each time you sign in."
)


def log_in(client, email, password, next_url="/admin/"):
    return client.post(f"{reverse('account_login')}?next={next_url}", {"login": email, "password": password})


def enter_code(client, code):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def activate_authenticator_app(client) -> str:
    """Add an authenticator app from the account pages as a person does; returns its secret."""
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # changing factors asks for it again
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]  # what the page shows as a QR code and as text
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    return secret


def field_errors(response) -> list[str]:
    return [error.get_text(" ", strip=True) for error in soup(response).select(".invalid-feedback")]


def alerts(response) -> list[str]:
    return [alert.get_text(" ", strip=True) for alert in soup(response).select(".alert")]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_passwords_posted_to_the_admin_login_are_never_checked(client, staff):
    answers = [
        client.post(reverse("admin:login"), {"username": "staff@example.org", "password": f"wrong-{n}"})
        for n in range(25)
    ]
    right = client.post(reverse("admin:login"), {"username": "staff@example.org", "password": PASSWORD})

    assert {(a.status_code, a["Location"]) for a in [*answers, right]} == {(302, "/accounts/login/?next=/admin/")}
    assert signed_in(client) is False
    assert client.get(reverse("admin:index"))["Location"] == "/admin/login/?next=/admin/"


def test_the_admin_sends_visitors_to_the_site_sign_in_and_back(client, staff):
    first = client.get("/admin/projects/proposal/")
    second = client.get(first["Location"])

    assert (first.status_code, first["Location"]) == (302, "/admin/login/?next=/admin/projects/proposal/")
    assert (second.status_code, second["Location"]) == (302, "/accounts/login/?next=/admin/projects/proposal/")


def test_the_admin_login_sends_nobody_off_the_site(client, staff):
    response = client.get(reverse("admin:login"), {"next": "https://evil.example/"})

    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_a_signed_in_researcher_at_the_admin_login_is_told_it_is_for_staff(client, researcher):
    client.force_login(researcher)

    response = client.get(reverse("admin:login"))

    assert response.status_code == 403
    assert soup(response).h1.get_text(strip=True) == "The review desk is for program staff"


def test_staff_sign_in_is_locked_after_five_wrong_passwords_with_the_site_message(client, staff):
    for _ in range(5):
        log_in(client, "staff@example.org", "wrong-password")

    response = log_in(client, "staff@example.org", PASSWORD)

    assert (response.status_code, alerts(response)) == (200, [LOCKED])
    assert signed_in(client) is False


def test_staff_sign_in_asks_for_the_authenticator_code_before_the_admin_opens(client, staff):
    password_step = log_in(client, "staff@example.org", PASSWORD)
    between = client.get(reverse("admin:index"))

    code_step = enter_code(client, totp_code(STAFF_TOTP_SECRET))

    assert password_step["Location"] == reverse("mfa_authenticate")
    assert (between.status_code, signed_in(client)) == (302, True)
    assert code_step["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_authenticator_code_keeps_staff_out_and_counts_towards_the_lock(client, staff):
    log_in(client, "staff@example.org", PASSWORD)
    wrong = [enter_code(client, "000000" if totp_code(STAFF_TOTP_SECRET) != "000000" else "111111") for _ in range(5)]

    right = enter_code(client, totp_code(STAFF_TOTP_SECRET))

    assert [response.status_code for response in wrong] == [200] * 5
    assert field_errors(wrong[0]) == ["Incorrect code."]
    assert field_errors(right) == [LOCKED]
    assert signed_in(client) is False


# Committed for real: allauth reports the new factor once its transaction commits, inside the request.
@pytest.mark.django_db(transaction=True)
def test_staff_without_a_second_factor_set_one_up_before_anything_opens(client):
    StaffFactory(email="new.staff@example.org", second_factor=False)
    proposal = ProposalFactory()
    log_in(client, "new.staff@example.org", PASSWORD)

    admin_page = client.get(reverse("admin:index"))
    proposal_page = client.get(proposal.get_absolute_url())
    setup_page = client.get(admin_page["Location"])
    activate_authenticator_app(client)

    assert (admin_page["Location"], proposal_page["Location"]) == ("/accounts/2fa/", "/accounts/2fa/")
    assert SET_UP_FIRST in alerts(setup_page)
    assert Authenticator.objects.filter(user__email="new.staff@example.org").count() == 2  # the app, recovery codes
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_session_that_never_used_the_new_factor_must_enter_a_code(client):
    staff = StaffFactory(email="new.staff@example.org", second_factor=False)
    log_in(client, "new.staff@example.org", PASSWORD)
    # Set up meanwhile in another session (another device).
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": STAFF_TOTP_SECRET})

    asked = client.get("/admin/projects/proposal/")
    answered = client.post(asked["Location"], {"code": totp_code(STAFF_TOTP_SECRET)})

    assert asked["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fprojects%2Fproposal%2F"
    assert answered["Location"] == "/admin/projects/proposal/"
    assert client.get("/admin/projects/proposal/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_researchers_need_no_second_factor_but_may_add_one_and_are_then_asked(client):
    ResearcherFactory(email="ada@example.edu")
    without = log_in(client, "ada@example.edu", PASSWORD, next_url="/proposals/")
    secret = activate_authenticator_app(client)
    client.post(reverse("account_logout"))

    with_factor = log_in(client, "ada@example.edu", PASSWORD, next_url="/proposals/")
    code_step = enter_code(client, totp_code(secret, steps_ahead=1))

    assert without["Location"] == "/proposals/"
    assert with_factor["Location"] == reverse("mfa_authenticate")
    assert code_step["Location"] == "/proposals/"


def test_the_account_menu_offers_two_factor_authentication(client, researcher):
    client.force_login(researcher)

    response = client.get(reverse("projects:dashboard"))

    assert "Two-factor authentication" in nav_links(response, nav="account")


def test_the_admin_lists_second_factors_without_their_secrets(client, staff):
    client.force_login(staff)
    factor = staff.authenticator_set.get()

    listed = client.get(reverse("admin:mfa_authenticator_changelist"))
    opened = client.get(reverse("admin:mfa_authenticator_change", args=[factor.pk]))

    assert (listed.status_code, opened.status_code) == (200, 200)
    assert STAFF_TOTP_SECRET not in listed.content.decode() + opened.content.decode()


def test_only_a_superuser_removes_someone_s_second_factor(client, staff):
    colleague = StaffFactory(email="colleague@example.org")
    factor = colleague.authenticator_set.get()
    url = reverse("admin:mfa_authenticator_delete", args=[factor.pk])
    client.force_login(staff)

    refused = client.post(url, {"post": "yes"})
    staff.is_superuser = True
    staff.save()
    removed = client.post(url, {"post": "yes"})

    assert (refused.status_code, removed.status_code) == (403, 302)
    assert colleague.authenticator_set.count() == 0
