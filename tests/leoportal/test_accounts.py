import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from leoportal.enums import Role
from leoportal.models import User
from tests.factories import PASSWORD, ResearcherFactory, StaffFactory
from tests.utils import nav_links, soup

pytestmark = pytest.mark.django_db


def sign_up(client, role, email="new.person@example.edu"):
    return client.post(
        reverse("account_signup"),
        {
            "role": role,
            "full_name": "New Person",
            "organisation": "Example University",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def confirmation_link(message):
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.PROVIDER])
def test_sign_up_as_each_role_through_email_verification(client, role):
    response = sign_up(client, role)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.edu")
    assert (user.role, user.full_name, user.organisation) == (role, "New Person", "Example University")
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.edu"]

    confirm_url = confirmation_link(mail.outbox[0])
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)

    assert EmailAddress.objects.get(user=user).verified is True
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302  # signed in: sent on to the role's dashboard


def test_sign_up_without_a_role_keeps_what_was_typed_and_says_what_is_missing(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "New Person",
            "organisation": "Example University",
            "email": "x@example.edu",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("#id_full_name")["value"] == "New Person"
    assert page.select_one("#id_email")["value"] == "x@example.edu"
    assert page.select_one("#error_1_id_role").get_text(strip=True) == "This field is required."
    assert User.objects.count() == 0


def test_unverified_account_cannot_sign_in(client):
    sign_up(client, Role.RESEARCHER)
    client.logout()

    response = client.post(reverse("account_login"), {"login": "new.person@example.edu", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_login_page_is_at_the_conventional_url(client):
    assert reverse("account_login") == "/accounts/login/"
    assert client.get("/accounts/login/").status_code == 200


def test_sign_in_with_the_right_password_reaches_the_dashboard(client, researcher):
    response = client.post(reverse("account_login"), {"login": "researcher@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).url == reverse("projects:dashboard")


def test_repeated_failed_logins_are_throttled_even_with_the_right_password_afterwards(client, researcher):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": "researcher@example.org", "password": "wrong"})
        assert response.status_code == 200

    response = client.post(reverse("account_login"), {"login": "researcher@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_for_one_account_do_not_lock_out_another(client, researcher, researcher2):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "researcher@example.org", "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": "researcher2@example.org", "password": PASSWORD})

    assert response.status_code == 302


def sign_in_from(client, address, remote_addr="10.0.0.2"):
    """Sign in through a proxy at ``remote_addr`` that reports the visitor's ``address`` in X-Forwarded-For."""
    client.logout()
    return client.post(
        reverse("account_login"),
        {"login": "researcher@example.org", "password": PASSWORD},
        REMOTE_ADDR=remote_addr,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_sign_in_limit_counts_each_visitor_behind_a_trusted_proxy(client, researcher, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    statuses = [sign_in_from(client, f"203.0.113.{n}").status_code for n in range(1, 41)]

    assert statuses == [302] * 40


def test_sign_in_limit_counts_the_proxy_when_no_proxy_is_trusted(client, researcher, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    statuses = [sign_in_from(client, f"203.0.113.{n}").status_code for n in range(1, 32)]

    assert statuses == [302] * 30 + [429]


def test_password_reset_answers_the_same_for_unknown_addresses(client, researcher):
    known = client.post(reverse("account_reset_password"), {"email": "researcher@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert (known.status_code, known.url) == (302, reverse("account_reset_password_done"))
    assert (unknown.status_code, unknown.url) == (302, reverse("account_reset_password_done"))


def test_password_change_requires_the_old_password(client, researcher):
    client.force_login(researcher)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-it", "password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )

    assert response.status_code == 200
    researcher.refresh_from_db()
    assert researcher.check_password(PASSWORD)


def test_short_passwords_are_refused_at_sign_up(client):
    response = client.post(
        reverse("account_signup"),
        {
            "role": Role.RESEARCHER,
            "full_name": "A",
            "organisation": "B",
            "email": "a@example.edu",
            "password1": "short1",
            "password2": "short1",
        },
    )

    assert response.status_code == 200
    assert "This password is too short. It must contain at least 10 characters." in response.content.decode()


def test_navigation_for_anonymous_visitors(client):
    response = client.get(reverse("home"))

    assert nav_links(response) == ["Calls", "Catalogue"]
    assert nav_links(response, "account") == ["Sign in", "Sign up"]


def test_navigation_for_a_researcher(client, researcher):
    client.force_login(researcher)

    response = client.get(reverse("home"))

    assert nav_links(response) == ["Calls", "Catalogue", "My proposals"]
    account = nav_links(response, "account")
    assert account[:1] + account[2:] == [
        "Notifications",
        "Dashboard",
        "Notification settings",
        "Calendar",
        "E-mail addresses",
        "Change password",
        "Two-factor authentication",
    ]


def test_navigation_for_a_provider(client, provider_user):
    client.force_login(provider_user)

    assert nav_links(client.get(reverse("home"))) == ["Calls", "Catalogue", "My organisation"]


def test_navigation_for_program_staff(client, staff):
    client.force_login(staff)

    assert nav_links(client.get(reverse("home"))) == ["Calls", "Catalogue", "Review desk", "Decision outbox"]


@pytest.mark.parametrize(
    ("fixture", "destination"),
    [("researcher", "projects:dashboard"), ("provider_user", "partners:dashboard"), ("staff", "admin:index")],
)
def test_dashboard_sends_each_role_to_its_own_page(client, request, fixture, destination):
    client.force_login(request.getfixturevalue(fixture))

    response = client.get(reverse("dashboard"))

    assert (response.status_code, response.url) == (302, reverse(destination))


def test_dashboard_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("dashboard"))

    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/dashboard/")


def test_program_staff_reach_the_admin_and_researchers_do_not(client, staff):
    researcher = ResearcherFactory()
    client.force_login(researcher)
    assert client.get(reverse("admin:index")).status_code == 302

    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_program_staff_can_view_users_and_notifications_in_the_admin(client, staff):
    client.force_login(staff)

    assert client.get(reverse("admin:leoportal_user_changelist")).status_code == 200
    assert client.get(reverse("admin:leoportal_notification_changelist")).status_code == 200
    assert client.get(reverse("admin:leoportal_user_add")).status_code == 403


def test_a_password_reset_link_sets_a_new_password_once(client, researcher, mailoutbox):
    import re

    client.post(reverse("account_reset_password"), {"email": "researcher@example.org"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mailoutbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "a-fresh-long-passphrase", "password2": "a-fresh-long-passphrase"},
    )
    again = client.get(link, follow=True)

    researcher.refresh_from_db()
    assert response.status_code == 302
    assert researcher.check_password("a-fresh-long-passphrase")
    assert again.context["token_fail"] is True  # the link worked once


def test_a_password_change_with_the_old_password_works(client, researcher):
    client.force_login(researcher)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )

    researcher.refresh_from_db()
    assert (response.status_code, researcher.check_password("a-new-long-passphrase")) == (302, True)


def test_program_staff_are_the_active_staff_accounts(staff, researcher, provider_user):
    StaffFactory(is_active=False, email="left@example.gov")
    assert list(User.objects.program_staff()) == [staff]
