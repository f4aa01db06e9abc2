from django.core.management.base import BaseCommand

from leoportal.interchange import dumps
from projects.domain.exporting import DEFAULT_EXPORT_STATUSES, export_document, exportable
from projects.enums import ProposalStatus
from projects.models import Proposal


class Command(BaseCommand):
    help = (
        "Write proposals as a leoportal.proposals/1 JSON document to standard output (default: every status but draft)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--status",
            action="append",
            choices=ProposalStatus.values,
            help="Export proposals in this status; repeat for several.",
        )

    def handle(self, *args, **options):
        statuses = options["status"] or DEFAULT_EXPORT_STATUSES
        proposals = []
        for proposal in Proposal.objects.filter(status__in=statuses).order_by("created_at", "id"):
            reason = exportable(proposal)
            if reason:
                self.stderr.write(f"skipped {proposal.interchange_id}: {reason}")
                continue
            proposals.append(proposal)
        self.stdout.write(dumps(export_document(proposals)), ending="")
        self.stderr.write(f"Exported {len(proposals)} proposal{'s' if len(proposals) != 1 else ''}.")
