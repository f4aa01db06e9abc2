from django.core.management.base import BaseCommand

from leoportal.interchange import dumps
from projects.domain.precedents import export_document, exportable
from projects.models import Precedent


class Command(BaseCommand):
    help = (
        "Write flight precedents as a leoportal.precedents/1 document to standard output, e.g. "
        "`manage.py export_precedents > precedents.json`. Only curated precedents by default: a portal precedent "
        "(a flight staff recorded from an introduction) copies the title and summary of a proposal, which is "
        "confidential to its team and program staff, so it is written only with --include-portal, into a file "
        "that must stay with program staff."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--include-portal",
            action="store_true",
            help="Also write portal precedents, with their proposals' confidential text (for program staff only).",
        )

    def handle(self, *args, **options):
        precedents = Precedent.objects.all() if options["include_portal"] else Precedent.objects.curated()
        exported = []
        for precedent in precedents.with_listings().order_by("external_id"):
            reason = exportable(precedent)
            if reason:
                self.stderr.write(f"skipped {precedent.external_id}: {reason}")
                continue
            exported.append(precedent)
        self.stdout.write(dumps(export_document(exported)), ending="")
        count = len(exported)
        self.stderr.write(f"Exported {count} precedent{'s' if count != 1 else ''}.")
