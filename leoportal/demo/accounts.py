"""Demo accounts for seed_demo. Idempotent: a second run finds everything in place and changes nothing."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings

from leoportal.enums import Role
from leoportal.models import User

DEMO_ACCOUNTS = [
    {
        "email": "researcher@example.org",
        "full_name": "Ada Okafor",
        "organisation": "Midwest Regenerative Medicine Institute",
        "role": Role.RESEARCHER,
    },
    {
        "email": "researcher2@example.org",
        "full_name": "Ben Lindqvist",
        "organisation": "Gulf Coast University",
        "role": Role.RESEARCHER,
    },
    {
        "email": "provider@example.org",
        "full_name": "Carmen Diaz",
        "organisation": "Redwire Space",
        "role": Role.PROVIDER,
    },
    {
        "email": "provider2@example.org",
        "full_name": "Dev Patel",
        "organisation": "Space Tango",
        "role": Role.PROVIDER,
    },
    {
        "email": "reviewer@example.org",
        "full_name": "Farah Haddad",
        "organisation": "Pacific Stem Cell Center",
        "role": Role.REVIEWER,
    },
    {
        "email": "staff@example.org",
        "full_name": "Eve Marchetti",
        "organisation": "LEO Portal program office",
        "role": Role.RESEARCHER,
        "is_staff": True,
    },
]


# The demo staff account's authenticator app secret (program staff must sign in with a second factor). It is
# public, in the README: add it to an authenticator app, or run `manage.py demo_totp` for the current code.
DEMO_STAFF_EMAIL = "staff@example.org"
DEMO_STAFF_TOTP_SECRET = "LEOPORTALDEMOSTAFFTOTPSECRET2345"  # noqa: S105 - public demo secret


def seed_staff_second_factor(user: User, log) -> None:
    """Give the demo staff account the known authenticator secret, unless it already has an authenticator app."""
    _authenticator, created = Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": DEMO_STAFF_TOTP_SECRET}}
    )
    log("2fa-secret", user.email, "created" if created else "unchanged")


def demo_staff_code() -> str | None:
    """The code an authenticator app with the demo secret shows now, or None when the demo staff account uses
    another secret (someone set up their own app)."""
    secret = (
        Authenticator.objects.filter(user__email=DEMO_STAFF_EMAIL, type=Authenticator.Type.TOTP)
        .values_list("data__secret", flat=True)
        .first()
    )
    if secret != DEMO_STAFF_TOTP_SECRET:
        return None
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def seed_accounts(log) -> dict[str, User]:
    password = settings.DEMO_PASSWORD
    users = {}
    for account in DEMO_ACCOUNTS:
        fields = {key: value for key, value in account.items() if key != "email"}
        fields.setdefault("is_staff", False)
        user, created = User.objects.get_or_create(email=account["email"], defaults=fields)
        changed = [key for key, value in fields.items() if getattr(user, key) != value]
        for key in changed:
            setattr(user, key, fields[key])
        if created or not user.check_password(password):
            user.set_password(password)
            changed.append("password")
        if changed:
            user.save()
        email, _created = EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if not (email.verified and email.primary):
            email.verified = email.primary = True
            email.save(update_fields=["verified", "primary"])
        log("account", user.email, "created" if created else ("updated" if changed else "unchanged"))
        if user.email == DEMO_STAFF_EMAIL:
            seed_staff_second_factor(user, log)
        users[user.email] = user
    return users
