import logging
from collections import Counter
from contextlib import contextmanager

from django.core import mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from leoportal.celery import app as celery_app
from leoportal.demo.accounts import DEMO_STAFF_EMAIL, DEMO_STAFF_TOTP_SECRET, seed_accounts
from partners.demo import catalogue as partners_demo
from projects.demo import decisions as demo_decisions
from projects.demo import introductions as demo_introductions
from projects.demo import panels as demo_panels
from projects.demo import precedents as demo_precedents
from projects.demo import proposals as projects_demo
from webhooks.demo import endpoints as demo_webhooks


@contextmanager
def quietly():
    """Seed without printing: the demo's story sends notification e-mails (a strong match, an introduction) to
    example.org addresses, and its background tasks log each run. The e-mails go to memory (the notifications
    stay on each account's Notifications page) and the tasks run here, logged only if they fail."""
    trace = logging.getLogger("celery.app.trace")
    level, eager = trace.level, celery_app.conf.task_always_eager
    trace.setLevel(logging.WARNING)
    celery_app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            if not hasattr(mail, "outbox"):
                mail.outbox = []
            already = len(mail.outbox)
            yield lambda: len(mail.outbox) - already  # how many e-mails were kept back
    finally:
        trace.setLevel(level)
        celery_app.conf.task_always_eager = eager


class Command(BaseCommand):
    help = (
        "Create the demo accounts and content (idempotent: running it again changes nothing). The e-mails the "
        "demo's story would send are not sent: read them on each account's Notifications page."
    )

    def handle(self, *args, **options):
        outcomes = Counter()

        def log(kind, name, outcome):
            outcomes[outcome] += 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"{kind:12} {outcome:9} {name}")

        with quietly() as kept_back:
            with transaction.atomic():
                users = seed_accounts(log)
                partners_demo.seed(log, users)
                demo_precedents.seed(log)  # before scoring: precedents name listings and are evidence for them
                projects_demo.seed(log, users)
                projects_demo.seed_matches(log)
                demo_introductions.seed(log, users)
                demo_panels.seed(log, users)
                demo_decisions.seed(log, users)
                demo_webhooks.seed(log, users)
            kept = kept_back()

        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        second_factor = (
            f"{DEMO_STAFF_EMAIL} signs in with a second factor: add the secret {DEMO_STAFF_TOTP_SECRET} to an "
            "authenticator app, or run `manage.py demo_totp` for the current code"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({second_factor}): {summary}."))
        if kept:
            self.stdout.write(
                f"The demo's {kept} notification e-mail{'s' if kept != 1 else ''} were not sent: "
                "read them on each account's Notifications page."
            )
