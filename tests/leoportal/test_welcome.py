"""What `make run` prints once the site is up (manage.py welcome): the address, the demo accounts, where e-mails go."""

from io import StringIO

import pytest
from django.core.management import call_command


def welcome() -> list[str]:
    out = StringIO()
    call_command("welcome", stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.parametrize(
    ("backend", "destination"),
    [
        ("django.core.mail.backends.console.EmailBackend", "E-mails the site sends are printed in this window."),
        (
            "django.core.mail.backends.smtp.EmailBackend",
            "E-mails the site sends are sent through smtp.example.org:587.",
        ),
    ],
)
def test_welcome_names_the_address_the_demo_accounts_and_where_emails_go(settings, backend, destination):
    settings.SITE_URL = "http://127.0.0.1:8123"
    settings.DEMO_PASSWORD = "a-demo-passphrase"
    settings.EMAIL_BACKEND = backend
    settings.EMAIL_HOST, settings.EMAIL_PORT = "smtp.example.org", 587
    settings.REDIS_URL = None

    assert welcome() == [
        "LEO Portal: http://127.0.0.1:8123/",
        "",
        "Demo accounts (password: a-demo-passphrase):",
        "  researcher@example.org   researcher, Midwest Regenerative Medicine Institute",
        "  researcher2@example.org  researcher, Gulf Coast University",
        "  provider@example.org     provider, Redwire Space",
        "  provider2@example.org    provider, Space Tango",
        "  reviewer@example.org     reviewer, Pacific Stem Cell Center",
        "  staff@example.org        program staff, the review desk at http://127.0.0.1:8123/admin/",
        "",
        destination,
        "Background tasks run in this process after each commit (no REDIS_URL).",
        "Stop with Ctrl-C.",
    ]


def test_welcome_says_a_worker_runs_the_tasks_with_redis(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"

    assert welcome()[-2] == "Background tasks run in a Celery worker (Redis)."
