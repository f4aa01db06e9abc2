"""Demo accounts for seed_demo. Idempotent: a second run finds everything in place and changes nothing."""

from allauth.account.models import EmailAddress
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
        "email": "staff@example.org",
        "full_name": "Eve Marchetti",
        "organisation": "LEO Portal program office",
        "role": Role.RESEARCHER,
        "is_staff": True,
    },
]


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
        users[user.email] = user
    return users
