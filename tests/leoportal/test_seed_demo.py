from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.urls import reverse

from leoportal.demo.accounts import DEMO_STAFF_TOTP_SECRET
from leoportal.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.broad]

DEMO_EMAILS = [
    "provider2@example.org",
    "provider@example.org",
    "researcher2@example.org",
    "researcher@example.org",
    "reviewer@example.org",
    "staff@example.org",
]


def snapshot():
    users = list(User.objects.order_by("email").values_list("email", "password", "role", "is_staff", "full_name"))
    emails = list(EmailAddress.objects.order_by("email").values_list("email", "verified", "primary"))
    return users, emails


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_demo_accounts_verified():
    seed()

    users, emails = snapshot()
    assert [row[0] for row in users] == DEMO_EMAILS
    assert emails == [(email, True, True) for email in DEMO_EMAILS]
    assert User.objects.get(email="staff@example.org").is_staff is True
    assert list(User.objects.filter(is_staff=True).values_list("email", flat=True)) == ["staff@example.org"]


def test_seed_demo_twice_changes_nothing():
    seed()
    first = snapshot()

    output = seed()

    assert snapshot() == first
    assert "created" not in output
    assert "updated" not in output


def test_demo_accounts_sign_in_with_the_demo_password(client, settings):
    settings.DEMO_PASSWORD = "another-demo-passphrase"
    seed()

    for email in DEMO_EMAILS:
        response = client.post(reverse("account_login"), {"login": email, "password": "another-demo-passphrase"})
        assert (email, response.status_code) == (email, 302)
        client.logout()


def test_seed_demo_applies_a_changed_demo_password(settings):
    seed()
    settings.DEMO_PASSWORD = "changed-demo-passphrase"

    seed()

    assert User.objects.get(email="researcher@example.org").check_password("changed-demo-passphrase")


def test_seed_demo_gives_the_staff_account_the_known_authenticator_secret_and_says_so(client):
    output = seed()
    factor = Authenticator.objects.get(user__email="staff@example.org")

    assert (factor.type, factor.data) == ("totp", {"secret": DEMO_STAFF_TOTP_SECRET})
    assert output.splitlines()[-1].startswith(
        "Demo data ready (staff@example.org signs in with a second factor: add the secret "
        f"{DEMO_STAFF_TOTP_SECRET} to an authenticator app, or run `manage.py demo_totp` for the current code): "
    )
    assert DEMO_STAFF_TOTP_SECRET in (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert Authenticator.objects.exclude(user__email="staff@example.org").count() == 0


def test_the_demo_staff_account_signs_in_with_the_code_demo_totp_prints(client, settings):
    seed()
    code = StringIO()
    call_command("demo_totp", stdout=code)

    client.post(
        f"{reverse('account_login')}?next=/admin/", {"login": "staff@example.org", "password": "leoportal-demo"}
    )
    response = client.post(reverse("mfa_authenticate"), {"code": code.getvalue().split()[0]})

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_demo_totp_says_what_to_do_before_seed_demo():
    with pytest.raises(CommandError) as refused:
        call_command("demo_totp")

    assert str(refused.value) == (
        "staff@example.org has no authenticator app with the demo secret: run `manage.py seed_demo` first (an app "
        "set up on the site with another secret stays as it is)."
    )
