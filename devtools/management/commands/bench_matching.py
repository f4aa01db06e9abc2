import json
import resource

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools import volume
from devtools.matching.bench import measure
from projects.domain import scoring
from projects.models import Match


class Command(BaseCommand):
    help = (
        "Measure the matcher on N synthetic proposals and M synthetic listings (fixed seed): scoring in memory, "
        "one new proposal, peak memory, and the whole rescore with persisting the kept rows in this database. "
        "The synthetic rows are removed afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, default=10_000)
        parser.add_argument("--capabilities", type=int, default=1_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of each in-memory stage")
        parser.add_argument("--json", action="store_true", help="end with one JSON object of the figures")

    def handle(self, *args, **options):
        if options["proposals"] < 1 or options["capabilities"] < 1:
            raise CommandError("--proposals and --capabilities must be at least 1.")
        say = self.stdout.write if not options["json"] else (lambda *a, **k: None)
        say(f"in memory: {options['proposals']} proposals x {options['capabilities']} listings ...")
        figures = measure(options["proposals"], options["capabilities"], seed=options["seed"], repeat=options["repeat"])
        say("in the database: creating the synthetic rows ...")
        volume.create_volume(options["proposals"], options["capabilities"], options["seed"], log=say)
        try:
            say("rescoring every open proposal and persisting the kept rows ...")
            result = scoring.rescore()
            figures.update(
                {
                    "database": connection.vendor,
                    "rescored_proposals": result.proposals,
                    "persisted_rows": result.rows,
                    "rescore_load_s": round(result.load_s, 3),
                    "rescore_score_s": round(result.score_s, 3),
                    "persist_s": round(result.persist_s, 3),
                    "rescore_total_s": round(result.load_s + result.score_s + result.persist_s, 3),
                    "stored_match_rows": Match.objects.count(),
                }
            )
        finally:
            volume.remove_volume(log=say)
        figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        width = max(len(key) for key in figures)
        for key, value in figures.items():
            self.stdout.write(f"{key:<{width}}  {value}")
