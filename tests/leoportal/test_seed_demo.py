from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse

from leoportal.models import User

pytestmark = pytest.mark.django_db

DEMO_EMAILS = [
    "provider2@example.org",
    "provider@example.org",
    "researcher2@example.org",
    "researcher@example.org",
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
