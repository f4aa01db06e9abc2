import json

from django.core.management.base import BaseCommand, CommandError

from devtools.matching.corpus import (
    CATALOGUE,
    FLOWN_PROJECTS,
    PRECEDENTS,
    flown_project_cases,
    load_catalogue,
    load_precedent_items,
)
from devtools.matching.evaluation import FOLDS, format_rows, report
from projects.matching import DEFAULT_WEIGHTS, Catalogue


class Command(BaseCommand):
    help = (
        "Measure matching on real flights: the engine and two baselines (keyword TF-IDF, a plain weighted hybrid) "
        "by grouped k-fold cross-validation over the flight precedents and the flown projects (with the spread "
        "across folds), with needs left blank, a time split, and with no precedents. Prints a Markdown table (the "
        "README's), or JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--catalogue", default=str(CATALOGUE), help="a leoportal.capabilities/1 file")
        parser.add_argument("--precedents", default=str(PRECEDENTS), help="a leoportal.precedents/1 file")
        parser.add_argument(
            "--cases",
            default=str(FLOWN_PROJECTS),
            help="a leoportal.proposals/1 file whose items carry flew_on (listing ids): the flown-projects split",
        )
        parser.add_argument("--folds", type=int, default=FOLDS, help=f"cross-validation folds (default {FOLDS})")
        parser.add_argument("--json", action="store_true", help="print JSON instead of the table")

    def handle(self, *args, **options):
        if options["folds"] < 2:
            raise CommandError("--folds must be at least 2.")
        try:
            catalogue = Catalogue.build(load_catalogue(options["catalogue"]))
            items = load_precedent_items(options["precedents"])
            flown = flown_project_cases(options["cases"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Cannot read the evaluation data: {error}") from error
        rows, _weights = report(catalogue, items, flown, DEFAULT_WEIGHTS, options["folds"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [{"split": r.split, "ranker": r.ranker, **r.metrics.as_dict(), "folds": r.folds} for r in rows],
                    indent=2,
                )
            )
        else:
            self.stdout.write(format_rows(rows))
