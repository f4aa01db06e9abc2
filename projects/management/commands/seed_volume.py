import time

from django.core.management.base import BaseCommand

from projects import scoring, volume


class Command(BaseCommand):
    help = (
        "Add synthetic volume for measuring (the admin changelist, the load test): N submitted proposals and M "
        "published listings, scored and stored. --remove takes it away again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, default=10_000)
        parser.add_argument("--capabilities", type=int, default=1_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--remove", action="store_true", help="remove the synthetic volume instead")

    def handle(self, *args, **options):
        log = self.stdout.write
        if options["remove"]:
            volume.remove_volume(log)
            return
        started = time.perf_counter()
        volume.create_volume(options["proposals"], options["capabilities"], options["seed"], log)
        created_s = time.perf_counter() - started
        figures = scoring.rescore()
        scoring.refresh_listing_demand()
        log(
            f"created in {created_s:.1f} s; scored {figures.proposals} open proposals into {figures.rows} match rows "
            f"in {figures.load_s + figures.score_s + figures.persist_s:.1f} s"
        )
