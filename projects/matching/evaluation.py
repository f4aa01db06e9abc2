"""How well the engine finds the hardware that really flew: hit@k and mean reciprocal rank on a held-out set.

The held-out set (``tests/projects/matching/data/flown-projects.json``) is a ``leoportal.proposals/1`` document
whose items carry ``flew_on``: the catalogue ids of the hardware that flew each project. For each project the
engine ranks the whole catalogue; the project's rank is that of the first listing it flew on.

    python -m projects.matching.evaluation [--cases FILE] [--catalogue FILE] [--verbose] [--compare] [--json]
"""

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from projects.matching.catalogue import Catalogue
from projects.matching.facts import CapabilityFacts, ProposalNeeds
from projects.matching.ranking import rank
from projects.matching.scoring import DEFAULT_WEIGHTS, Weights

DATA = Path(__file__).resolve().parents[2] / "tests" / "projects" / "matching" / "data"
DEFAULT_CASES = DATA / "flown-projects.json"
DEFAULT_CATALOGUE = DATA / "iss-facilities.json"


@dataclass(frozen=True)
class CaseResult:
    proposal_id: str
    flew_on: tuple[str, ...]
    rank: int  # of the first listing it flew on; len(catalogue) + 1 if none is in the catalogue
    top: tuple[str, ...]  # the first five suggestions


@dataclass(frozen=True)
class Metrics:
    cases: int
    hit_at_1: float
    hit_at_3: float
    hit_at_5: float
    mrr: float

    def as_dict(self) -> dict:
        return {
            "cases": self.cases,
            "hit@1": round(self.hit_at_1, 4),
            "hit@3": round(self.hit_at_3, 4),
            "hit@5": round(self.hit_at_5, 4),
            "mrr": round(self.mrr, 4),
        }


def load(cases_path=DEFAULT_CASES, catalogue_path=DEFAULT_CATALOGUE):
    items = json.loads(Path(catalogue_path).read_text())["capabilities"]
    catalogue = Catalogue.build(CapabilityFacts.from_interchange(item) for item in items)
    cases = json.loads(Path(cases_path).read_text())["proposals"]
    truths = {case["id"]: tuple(case["flew_on"]) for case in cases}
    proposals = [ProposalNeeds.from_interchange(case) for case in cases]
    return catalogue, proposals, truths


def evaluate(catalogue, proposals, truths, weights: Weights = DEFAULT_WEIGHTS) -> tuple[Metrics, list[CaseResult]]:
    results = rank(catalogue, proposals, weights=weights, top=len(catalogue), near_misses=0)
    cases = []
    for result in results:
        flew_on = truths[result.proposal_id]
        ranks = [m.rank for m in result.matches if m.capability_id in flew_on]
        cases.append(
            CaseResult(
                result.proposal_id,
                flew_on,
                min(ranks) if ranks else len(catalogue) + 1,
                tuple(m.capability_id for m in result.matches[:5]),
            )
        )
    return metrics(cases), cases


def metrics(cases: list[CaseResult]) -> Metrics:
    n = len(cases)
    if n == 0:
        return Metrics(0, 0.0, 0.0, 0.0, 0.0)
    return Metrics(
        cases=n,
        hit_at_1=sum(c.rank <= 1 for c in cases) / n,
        hit_at_3=sum(c.rank <= 3 for c in cases) / n,
        hit_at_5=sum(c.rank <= 5 for c in cases) / n,
        mrr=sum(1.0 / c.rank for c in cases) / n,
    )


VARIANTS = {
    "hardware kind mismatch makes a pair ineligible": replace(DEFAULT_WEIGHTS, require_needed_hardware=True),
    "no inferred needs": replace(DEFAULT_WEIGHTS, inferred_need=0.0, inferred_need_with_stated=0.0),
    "no text relevance": replace(DEFAULT_WEIGHTS, text=0.0),
    "no host-platform credit": replace(DEFAULT_WEIGHTS, host_credit=0.0),
}
LIVING_SAMPLES = {
    "live_cells",
    "organoids",
    "tissue_constructs",
    "organ_chips",
    "microorganisms",
    "animals",
    "plants",
    "bioink",
}


def scenarios(proposals) -> dict:
    """The held-out set as written, and two stress versions of what proposers get wrong.

    - needs left blank: every stated hardware kind removed (the engine must infer them);
    - needs too generic: every proposal with living samples states only "cell culture / bioreactor", a common
      reflex, so the right hardware (a printer, a crewed mission, a habitat, a sequencer) is not among the needs.
    """
    return {
        "as written": list(proposals),
        "needs left blank": [replace(p, needs=()) for p in proposals],
        "needs too generic": [
            replace(p, needs=("cell_culture_bioreactor",)) if p.sample_type in LIVING_SAMPLES else p for p in proposals
        ],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=DEFAULT_CASES)
    parser.add_argument("--catalogue", default=DEFAULT_CATALOGUE)
    parser.add_argument("--verbose", action="store_true", help="print each project's rank and first suggestions")
    parser.add_argument(
        "--compare", action="store_true", help="also evaluate the weight variants on the stress scenarios"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    catalogue, proposals, truths = load(args.cases, args.catalogue)
    found, cases = evaluate(catalogue, proposals, truths)
    if args.verbose:
        for case in sorted(cases, key=lambda c: (c.rank, c.proposal_id)):
            print(f"{case.rank:3d}  {case.proposal_id:40s} flew on {', '.join(case.flew_on)}")
            print(f"     first: {', '.join(case.top)}")
    print(format_metrics("engine", found))
    report = {"metrics": found.as_dict()}
    if args.compare:
        report["compare"] = {}
        variants = {"default weights": DEFAULT_WEIGHTS, **VARIANTS}
        for scenario, scenario_proposals in scenarios(proposals).items():
            for name, weights in variants.items():
                variant, _ = evaluate(catalogue, scenario_proposals, truths, weights)
                print(format_metrics(f"{scenario} / {name}", variant))
                report["compare"][f"{scenario} / {name}"] = variant.as_dict()
    if args.json:
        print(json.dumps(report, sort_keys=True))
    return 0


def format_metrics(name: str, m: Metrics) -> str:
    return (
        f"{name}: {m.cases} projects, hit@1 {m.hit_at_1:.3f}, hit@3 {m.hit_at_3:.3f}, "
        f"hit@5 {m.hit_at_5:.3f}, MRR {m.mrr:.3f}"
    )


if __name__ == "__main__":
    sys.exit(main())
