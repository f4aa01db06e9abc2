from django.core.management.base import BaseCommand, CommandError

from leoportal.demo.accounts import DEMO_STAFF_EMAIL, demo_staff_code


class Command(BaseCommand):
    help = (
        "Print the code the demo staff account's authenticator app shows now (staff@example.org signs in with a "
        "second factor; seed_demo gives it the secret written in the README)."
    )

    def handle(self, *args, **options):
        code = demo_staff_code()
        if code is None:
            raise CommandError(
                f"{DEMO_STAFF_EMAIL} has no authenticator app with the demo secret: run `manage.py seed_demo` first "
                "(an app set up on the site with another secret stays as it is)."
            )
        self.stdout.write(f"{code}  (the code for {DEMO_STAFF_EMAIL}, good for about 30 seconds)")
