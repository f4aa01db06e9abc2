import json

from django.core.management.base import BaseCommand, CommandError

from devtools import loadtest


class Command(BaseCommand):
    help = (
        "The load test's database side (make loadtest): `prepare PLAN` makes accounts, an open call and drafts on the "
        "synthetic volume and writes the plan for the load generator; `verify SUBMITTED` checks that every "
        "submission the load generator made is saved and scored, waiting for the worker."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        prepare = actions.add_parser("prepare", help="accounts, call and drafts; writes the plan (JSON) to PLAN")
        prepare.add_argument("plan", help="where to write the plan")
        prepare.add_argument("--users", type=int, default=50)
        prepare.add_argument("--drafts", type=int, default=12, help="complete drafts per account, to submit")
        verify = actions.add_parser("verify", help="check the submissions listed in SUBMITTED (one public id a line)")
        verify.add_argument("submitted", help="the load generator's list of accepted submissions")
        verify.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for the scoring")

    def handle(self, *args, **options):
        if options["action"] == "prepare":
            try:
                plan = loadtest.prepare(options["users"], options["drafts"], log=self.stdout.write)
            except ValueError as error:
                raise CommandError(str(error)) from error
            loadtest.write_plan(plan, options["plan"])
            return
        try:
            with open(options["submitted"], encoding="utf-8") as handle:
                ids = [line.strip() for line in handle if line.strip()]
        except OSError as error:
            raise CommandError(f"Cannot read the list of submissions: {error}") from error
        result = loadtest.verify(ids, timeout_s=options["timeout"])
        self.stdout.write(result.line())
        self.stdout.write(json.dumps({"verification": result.__dict__}))
        if not result.ok:
            raise CommandError("Not every submission made during the load test was saved and scored.")
