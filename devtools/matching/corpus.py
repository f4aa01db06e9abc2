"""The data the matching engine is fitted and measured on, as engine inputs.

- the catalogue: ``partners/data/iss-facilities.json`` (37 real facilities, the project's one copy);
- the flight precedents: ``projects/data/flown-experiments.json`` (real experiments with the listings that flew
  them); each one is also a test case, written as a proposal from its science and needs;
- the flown projects: ``devtools/matching/data/flown-projects.json``, 30 real projects written as their teams could
  have proposed them before flight (often incompletely), each with the listings that flew it (``flew_on``).

Flights of one investigation (the same lead team flying again on the same hardware) form one group: grouped
cross-validation keeps a group in one fold, so a precedent never votes for a case of its own investigation.
"""

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from projects.matching import CapabilityFacts, PrecedentFacts, ProposalNeeds

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "partners" / "data" / "iss-facilities.json"
PRECEDENTS = ROOT / "projects" / "data" / "flown-experiments.json"
FLOWN_PROJECTS = Path(__file__).with_name("data") / "flown-projects.json"

# The fields of a precedent a proposal would state (its science and its needs).
PROPOSAL_FIELDS = (
    "id",
    "title",
    "summary",
    "research_areas",
    "sample_type",
    "needs",
    "crew_time",
    "duration_days",
    "sample_return",
    "variable_gravity",
)


@dataclass(frozen=True)
class Case:
    """A proposal whose flight is known: the listings that flew it, its investigation group, its year."""

    proposal: ProposalNeeds
    truth: tuple[str, ...]
    group: str
    year: int | None = None

    def without_needs(self) -> "Case":
        """The same case with no kinds of hardware stated (proposers often leave them out)."""
        return replace(self, proposal=replace(self.proposal, needs=()))


def load_catalogue(path: Path = CATALOGUE) -> list[CapabilityFacts]:
    return [CapabilityFacts.from_interchange(item) for item in json.loads(Path(path).read_text())["capabilities"]]


def load_precedent_items(path: Path = PRECEDENTS) -> list[dict]:
    return json.loads(Path(path).read_text())["precedents"]


def precedents_of(items) -> list[PrecedentFacts]:
    return [PrecedentFacts.from_interchange(item) for item in items]


def precedent_cases(items) -> list[Case]:
    """Every precedent as a test case: a proposal of its science and needs, the listings that flew it."""
    groups = investigation_groups(items)
    return [
        Case(
            proposal=ProposalNeeds.from_interchange({k: item[k] for k in PROPOSAL_FIELDS if item.get(k) is not None}),
            truth=tuple(item["facilities"]),
            group=groups[item["id"]],
            year=item["year"],
        )
        for item in items
    ]


def flown_project_cases(path: Path = FLOWN_PROJECTS) -> list[Case]:
    items = json.loads(Path(path).read_text())["proposals"]
    return [
        Case(ProposalNeeds.from_interchange(item), tuple(item["flew_on"]), group=f"flown:{item['id']}")
        for item in items
    ]


def joined_cases(precedent_items, flown, same_investigation) -> list[Case]:
    """The precedents' cases and the flown projects together, each flown project in the group of the precedents
    of its own investigation (``same_investigation(case)`` names them), so that cross-validation keeps them in one
    fold."""
    precedent_side = precedent_cases(precedent_items)
    group_of = {case.proposal.id: case.group for case in precedent_side}
    joined = list(precedent_side)
    for case in flown:
        twins = sorted(group_of[p] for p in same_investigation(case) if p in group_of)
        joined.append(replace(case, group=twins[0]) if twins else case)
    return joined


def _team(item) -> str:
    """The lead team, normalised: the first organisation named, without parentheses."""
    team = re.sub(r"\(.*?\)", "", (item.get("team") or "").lower())
    return re.split(r"[,;/]| with | and ", team)[0].strip()


def investigation_groups(items) -> dict[str, str]:
    """Precedent id -> group id: precedents linked when they share a lead team and a listing (union-find)."""
    parent = {item["id"]: item["id"] for item in items}

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for position, first in enumerate(items):
        for second in items[position + 1 :]:
            team = _team(first)
            if team and team == _team(second) and set(first["facilities"]) & set(second["facilities"]):
                parent[root(first["id"])] = root(second["id"])
    return {item["id"]: root(item["id"]) for item in items}
