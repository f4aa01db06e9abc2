import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leoportal.interchange import InterchangeError
from partners.domain.importing import ENTRY_PATH, field_label, import_capabilities


class Command(BaseCommand):
    help = (
        "Import a leoportal.capabilities/1 document: creates provider organisations by name (verified) and upserts "
        "listings by id within their provider. All or nothing: any problem is printed with its JSON path and the "
        "field's name on the listing form, and nothing is written. Running it again with the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON document ('-' reads standard input).")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Create new listings as drafts instead of publishing them (existing listings keep their state).",
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            text = options.get("stdin", sys.stdin).read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            plan = import_capabilities(text, publish_new=not options["draft"])
        except InterchangeError as error:
            for problem in error.problems:
                entry = ENTRY_PATH.match(problem.path)
                label = f" ({field_label(entry.group(2))})" if entry and entry.group(2) else ""
                self.stderr.write(f"{problem.path}{label}: {problem.message}")
            count = len(error.problems)
            raise CommandError(
                f"{path}: {count} problem{'s' if count != 1 else ''} found; nothing was imported."
            ) from None
        for name in plan.new_organisations:
            self.stdout.write(f"organisation created (verified): {name}")
        if options["verbosity"] >= 2:
            for entry in plan.entries:
                detail = f" ({', '.join(entry.changed_labels)})" if entry.changed else ""
                self.stdout.write(f"{entry.outcome:9} {entry.provider}: {entry.external_id}{detail}")
        if plan.changes_anything:
            self.stdout.write(self.style.SUCCESS(f"Imported {path}: {plan.summary()}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Nothing to change: {path} is already imported ({plan.summary()})."))
