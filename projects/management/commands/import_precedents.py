import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leoportal.interchange import InterchangeError
from projects.domain.precedents import import_precedents


class Command(BaseCommand):
    help = (
        "Import flight precedents from a leoportal.precedents/1 document (e.g. projects/data/flown-experiments.json). "
        "Each precedent's facilities must be ids of listings already in the catalogue, each naming one listing. "
        "All or nothing: any problem is printed with its JSON path and nothing is written. Precedents are matched "
        "by id, so running it again with the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON document ('-' reads standard input).")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            text = options.get("stdin", sys.stdin.buffer).read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            plan = import_precedents(text, source_name=Path(path).name if path != "-" else "")
        except InterchangeError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            count = len(error.problems)
            raise CommandError(
                f"{path}: {count} problem{'s' if count != 1 else ''} found; nothing was imported."
            ) from None
        if options["verbosity"] >= 2:
            for entry in plan.entries:
                detail = f" ({', '.join(entry.changed)})" if entry.changed else ""
                self.stdout.write(f"{entry.outcome:9} {entry.external_id}{detail}")
        if plan.changes_anything:
            self.stdout.write(self.style.SUCCESS(f"Imported {path}: {plan.summary()}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Nothing to change: {path} is already imported ({plan.summary()})."))
