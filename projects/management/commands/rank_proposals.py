import sys

from django.core.management.base import BaseCommand, CommandError

from leoportal.interchange import PROPOSALS, InterchangeError, dumps, parse_document
from partners.models import Capability
from projects.domain.scoring import capability_items, precedent_items, weights
from projects.matching import FactsError, rankings_document


class Command(BaseCommand):
    help = (
        "Rank each proposal of a leoportal.proposals/1 FILE against the published listings in the database, with "
        "the database's flight precedents as evidence, and print a leoportal.rankings/1 document. Writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a leoportal.proposals/1 document ('-' reads standard input)")
        parser.add_argument("--top", type=int, default=25, help="matches per proposal (default 25)")
        parser.add_argument("--near-misses", type=int, default=5, help="near misses per proposal (default 5)")

    def handle(self, *args, **options):
        if options["top"] < 1:
            raise CommandError("--top must be at least 1.")
        if options["near_misses"] < 0:
            raise CommandError("--near-misses must be 0 or more.")
        try:
            text = sys.stdin.read() if options["file"] == "-" else open(options["file"], "rb").read()  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from error
        try:
            document = parse_document(text, PROPOSALS)
        except InterchangeError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{options['file']} is not a valid leoportal.proposals/1 document.") from error
        items, pks = capability_items(Capability.objects.matchable().with_related().order_by("pk"))
        if not items:
            raise CommandError("There are no published listings of verified providers to rank against.")
        try:
            rankings = rankings_document(
                document,
                items,
                precedent_items(pks),
                top=options["top"],
                near_misses=options["near_misses"],
                weights=weights(),
            )
        except FactsError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(dumps(rankings), ending="")
