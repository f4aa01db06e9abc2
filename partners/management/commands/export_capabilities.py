from django.core.management.base import BaseCommand, CommandError

from leoportal.interchange import dumps
from partners.domain.importing import export_document
from partners.models import Capability, Organisation


class Command(BaseCommand):
    help = (
        "Write listings as a leoportal.capabilities/1 document to standard output (drafts included), e.g. "
        "`manage.py export_capabilities --provider 'Redwire Space' > redwire.json`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provider", help="Only this organisation's listings (its name, any case).")
        parser.add_argument(
            "--published", action="store_true", help="Only published listings of verified organisations."
        )

    def handle(self, *args, **options):
        listings = Capability.objects.public() if options["published"] else Capability.objects.all()
        if options["provider"]:
            organisation = Organisation.objects.filter(name__iexact=options["provider"].strip()).first()
            if organisation is None:
                raise CommandError(f"No organisation is called {options['provider']!r}.")
            listings = listings.filter(organisation=organisation)
        listings = listings.with_related().order_by("organisation__name", "external_id")
        self.stdout.write(dumps(export_document(listings)), ending="")
