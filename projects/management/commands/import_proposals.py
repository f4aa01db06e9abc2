import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leoportal.interchange import InterchangeError
from leoportal.models import User
from projects.domain.importing import IMPORT_STATUSES, import_proposals
from projects.enums import ProposalStatus
from projects.models import Call


class Command(BaseCommand):
    help = (
        "Import proposals from a leoportal.proposals/1 JSON file for one owner. All or nothing: on any problem, "
        "every problem is listed with its JSON path and nothing is written. Importing the same file again updates "
        "the proposals in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the JSON document, or - for standard input.")
        parser.add_argument("--owner", required=True, help="E-mail address of the researcher who owns the proposals.")
        parser.add_argument(
            "--status",
            default=ProposalStatus.SUBMITTED,
            choices=[str(status) for status in IMPORT_STATUSES],
            help="Status of newly created proposals (default: submitted).",
        )
        parser.add_argument("--call", help="Code of the call new proposals answer (default: unsolicited).")

    def handle(self, *args, **options):
        try:
            owner = User.objects.get(email__iexact=options["owner"])
        except User.DoesNotExist:
            raise CommandError(f"No user has the e-mail address {options['owner']!r}.") from None
        call = None
        if options["call"]:
            try:
                call = Call.objects.get(code=options["call"])
            except Call.DoesNotExist:
                raise CommandError(f"No call has the code {options['call']!r}.") from None

        name = options["file"]
        if name == "-":
            text = sys.stdin.buffer.read()
        else:
            try:
                text = Path(name).read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {name}: {error.strerror}.") from None

        try:
            result = import_proposals(
                text, owner, status=options["status"], call=call, source_name=Path(name).name if name != "-" else ""
            )
        except InterchangeError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            count = len(error.problems)
            raise CommandError(f"Nothing was imported: {count} problem{'s' if count != 1 else ''}.") from None

        if options["verbosity"] >= 2:
            for outcome in ("created", "updated", "unchanged"):
                for proposal in getattr(result, outcome):
                    self.stdout.write(f"{outcome:9} {proposal.interchange_id}  {proposal.title}")
        self.stdout.write(self.style.SUCCESS(f"Imported proposals for {owner.email}: {result.summary()}."))
