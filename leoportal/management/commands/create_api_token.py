"""manage.py create_api_token EMAIL [--organisation SLUG] [--scope read|write] [--name NAME]: prints the secret."""

from django.core.management.base import BaseCommand, CommandError

from leoportal.domain.api_tokens import TokenError, create_token
from leoportal.enums import TokenScope
from leoportal.models import User
from partners.models import Organisation


class Command(BaseCommand):
    help = (
        "Make an API token for an account (personal, or for an organisation it administers) and print its secret once."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="A token of this organisation (the account must administer it), not personal.",
        )
        parser.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        parser.add_argument("--name", default="Made with manage.py")

    def handle(self, *args, email, organisation, scope, name, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account has the address {email}.")
        org = None
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(f"No organisation has the address name “{organisation}”.")
        try:
            _token, secret = create_token(user, name=name, scope=scope, organisation=org)
        except TokenError as error:
            raise CommandError(error.message) from None
        self.stdout.write(secret)
