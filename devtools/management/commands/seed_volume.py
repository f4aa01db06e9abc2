import time

from django.core.management.base import BaseCommand

from devtools import volume
from projects.domain import scoring


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
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when the volume is already there (the same numbers of proposals and listings)",
        )

    def handle(self, *args, **options):
        log = self.stdout.write
        if options["remove"]:
            volume.remove_volume(log)
            return
        if options["if_missing"]:
            present = volume.volume_size()
            if present == (options["proposals"], options["capabilities"]):
                log(f"the volume is already there: {present[0]} proposals and {present[1]} listings")
                return
            if present != (0, 0):
                log(f"replacing a volume of {present[0]} proposals and {present[1]} listings")
                volume.remove_volume(log)
        started = time.perf_counter()
        volume.create_volume(options["proposals"], options["capabilities"], options["seed"], log)
        created_s = time.perf_counter() - started
        figures = scoring.rescore()
        scoring.refresh_listing_demand()
        volume.analyze()
        log(
            f"created in {created_s:.1f} s; scored {figures.proposals} open proposals into {figures.rows} match rows "
            f"in {figures.load_s + figures.score_s + figures.persist_s:.1f} s"
        )
