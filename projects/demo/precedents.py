"""Demo flight precedents for seed_demo: the bundled file of real flights (projects/data/flown-experiments.json),
imported after the demo catalogue, whose listings they name. Idempotent: a second run changes nothing."""

from pathlib import Path

from projects.domain.precedents import import_precedents

PRECEDENTS_FILE = Path(__file__).resolve().parents[1] / "data" / "flown-experiments.json"


def seed(log) -> None:
    plan = import_precedents(PRECEDENTS_FILE.read_bytes(), source_name=PRECEDENTS_FILE.name)
    for entry in plan.entries:
        log("precedent", entry.external_id, entry.outcome)
