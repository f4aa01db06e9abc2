from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction

from leoportal.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_TOTP_SECRET, seed_accounts
from partners import demo as partners_demo
from projects import demo as projects_demo
from projects import demo_introductions, demo_precedents


class Command(BaseCommand):
    help = "Create the demo accounts and content (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        outcomes = Counter()

        def log(kind, name, outcome):
            outcomes[outcome] += 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"{kind:12} {outcome:9} {name}")

        with transaction.atomic():
            users = seed_accounts(log)
            partners_demo.seed(log, users)
            demo_precedents.seed(log)  # before scoring: precedents name listings and are evidence for them
            projects_demo.seed(log, users)
            projects_demo.seed_matches(log)
            demo_introductions.seed(log, users)

        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        second_factor = (
            f"{DEMO_STAFF_EMAIL} signs in with a second factor: add the secret {DEMO_STAFF_TOTP_SECRET} to an "
            "authenticator app, or run `manage.py demo_totp` for the current code"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({second_factor}): {summary}."))
