import json

from django.core.management.base import BaseCommand, CommandError
from sklearn.model_selection import GroupKFold

from devtools.matching.corpus import (
    CATALOGUE,
    FLOWN_PROJECTS,
    PRECEDENTS,
    flown_project_cases,
    joined_cases,
    load_catalogue,
    load_precedent_items,
    precedents_of,
)
from devtools.matching.evaluation import FOLDS, same_investigation, spread
from devtools.matching.fitting import fit_weights
from projects.matching import Catalogue, Weights
from projects.matching.weights import COEFFICIENTS, FITTED


class Command(BaseCommand):
    help = (
        "Fit the matching score's coefficients on the flight precedents and the flown projects (pairwise logistic "
        "ranker, each case with its own investigation left out of the precedents) and write "
        "projects/matching/weights.json with the spread of each coefficient across grouped cross-validation folds. "
        "--check only compares with the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--catalogue", default=str(CATALOGUE), help="a leoportal.capabilities/1 file")
        parser.add_argument("--precedents", default=str(PRECEDENTS), help="a leoportal.precedents/1 file")
        parser.add_argument("--cases", default=str(FLOWN_PROJECTS), help="flown projects: proposals with flew_on")
        parser.add_argument("--folds", type=int, default=FOLDS)
        parser.add_argument("--check", action="store_true", help="fail if the file differs from a new fit")

    def handle(self, *args, **options):
        catalogue = Catalogue.build(load_catalogue(options["catalogue"]))
        items = load_precedent_items(options["precedents"])
        precedents = precedents_of(items)
        flown = flown_project_cases(options["cases"])
        cases = joined_cases(items, flown, same_investigation(catalogue, precedents, flown))
        base = Weights()
        weights = fit_weights(catalogue, cases, precedents, base)
        by_id = {p.id: p for p in precedents}
        folds = []
        for train, _ in GroupKFold(n_splits=options["folds"]).split(cases, groups=[c.group for c in cases]):
            train_cases = [cases[i] for i in train]
            pool = [by_id[c.proposal.id] for c in train_cases if c.proposal.id in by_id]
            folds.append(fit_weights(catalogue, train_cases, pool, base))
        fitted = {name: round(getattr(weights, name), 4) for name in (*COEFFICIENTS, "offset", "scale")}
        document = {
            "about": (
                "Coefficients of the matching score, fitted by manage.py fit_matching_weights on the flight "
                "precedents and the flown projects; folds: each coefficient fitted on each training part of a "
                "grouped cross-validation."
            ),
            "weights": fitted,
            "cases": len(cases),
            "folds": {name: spread([getattr(w, name) for w in folds]) for name in (*COEFFICIENTS, "offset", "scale")},
        }
        text = json.dumps(document, indent=2, sort_keys=True) + "\n"
        if options["check"]:
            if FITTED.read_text() != text:
                raise CommandError(f"{FITTED} differs from a new fit: run manage.py fit_matching_weights.")
            self.stdout.write(f"{FITTED} is up to date.")
            return
        FITTED.write_text(text)
        self.stdout.write(json.dumps(fitted, indent=2, sort_keys=True))
        self.stdout.write(f"Wrote {FITTED}.")
