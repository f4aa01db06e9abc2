"""What a newcomer needs once ``make run`` has started: the address, the demo accounts, where e-mails go."""

from django.conf import settings
from django.core.management.base import BaseCommand

from leoportal.demo.accounts import DEMO_ACCOUNTS

EMAIL_DESTINATIONS = {
    "django.core.mail.backends.console.EmailBackend": "printed in this window",
    "django.core.mail.backends.locmem.EmailBackend": "kept in memory, not sent",
    "django.core.mail.backends.dummy.EmailBackend": "discarded",
}


def email_destination() -> str:
    backend = settings.EMAIL_BACKEND
    if backend in EMAIL_DESTINATIONS:
        return EMAIL_DESTINATIONS[backend]
    if backend == "django.core.mail.backends.filebased.EmailBackend":
        return f"written as files to {settings.EMAIL_FILE_PATH}"
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        return f"sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return f"handed to {backend}"


class Command(BaseCommand):
    help = "Print where the site is, the demo accounts and where e-mails go (make run prints it at start)."

    def handle(self, *args, **options):
        site = settings.SITE_URL.rstrip("/")
        width = max(len(account["email"]) for account in DEMO_ACCOUNTS)
        lines = [
            f"LEO Portal: {site}/",
            "",
            f"Demo accounts (password: {settings.DEMO_PASSWORD}):",
        ]
        for account in DEMO_ACCOUNTS:
            if account.get("is_staff"):
                who = f"program staff, the review desk at {site}/admin/"
            else:
                who = f"{account['role'].label.split(' (')[0].lower()}, {account['organisation']}"
            lines.append(f"  {account['email']:<{width}}  {who}")
        lines += [
            "",
            f"E-mails the site sends are {email_destination()}.",
            "Background tasks run in a Celery worker (Redis)."
            if settings.REDIS_URL
            else "Background tasks run in this process after each commit (no REDIS_URL).",
            "Stop with Ctrl-C.",
        ]
        self.stdout.write("\n".join(lines))
