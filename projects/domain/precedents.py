"""Flight precedents: experiments that flew, and the listings that flew them, as data for matching.

Plain functions; ``manage.py import_precedents`` / ``export_precedents``, the admin, the demo seed and the matching
side call them.

* ``import_precedents`` validates a ``leoportal.precedents/1`` document (the JSON Schema, then what a schema cannot
  say: unique ids, listing ids that name exactly one listing, the model's own checks) and imports it in one
  transaction, or raises ``InterchangeError`` listing every problem with its JSON path and writes nothing. The
  ``id`` is the stable key: importing a document again updates precedents in place, and the same document twice
  changes nothing. A listing is found by its id whatever its status: a precedent whose listing retired stays valid.
* ``export_document`` writes precedents back as a document (every item validated).
* ``engine_items`` gives the matching engine every precedent as plain data.
* Flights recorded on the portal become precedents too (projects/domain/flights.py).

Any change to precedents queues rescoring of the open proposals they could move, through the same requests a
listing change makes (``RescoreRequest`` rows and the ``projects.rescore_requested`` task of
projects/domain/scoring/): precedents are evidence about the listings that flew them.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max

from leoportal.dispatch import dispatch
from leoportal.interchange import PRECEDENTS, InterchangeError, Problem, loads, parse_document
from partners.enums import ImportOutcome
from partners.models import Capability
from projects.enums import PrecedentOrigin
from projects.models import Precedent, RescoreRequest
from projects.tasks import rescore_requested_task

# The facts of a precedent a file states (and an import compares), besides its id and listings.
PRECEDENT_FIELDS = (
    "title",
    "summary",
    "research_areas",
    "sample_type",
    "needs",
    "crew_time",
    "duration_days",
    "sample_return",
    "variable_gravity",
    "year",
    "team",
    "sources",
    "confidence",
)
# Where model fields live in an item, when the names differ (for problem paths).
ITEM_KEYS = {"external_id": "id"}
ITEM_PATH = re.compile(r"^\$\.precedents\[(\d+)\]")
# Ids of precedents recorded on the portal start with this; files may not use it.
PORTAL_ID_PREFIX = "portal-"
# What explanations call a portal precedent: its text is a copy of a confidential proposal.
PORTAL_LABEL = "a similar proposal on this portal"


# --- Import -----------------------------------------------------------------------------------------------------


@dataclass
class EntryPlan:
    index: int
    external_id: str
    values: dict
    listings: list[Capability]
    outcome: str = ImportOutcome.CREATED
    changed: list[str] = field(default_factory=list)
    precedent: Precedent | None = None


@dataclass
class ImportPlan:
    entries: list[EntryPlan]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ImportOutcome.values, 0)
        for entry in self.entries:
            counts[entry.outcome] += 1
        return counts

    @property
    def changes_anything(self) -> bool:
        return any(entry.outcome != ImportOutcome.UNCHANGED for entry in self.entries)

    def summary(self) -> str:
        counts = self.counts()
        return ", ".join(f"{counts[outcome]} {outcome}" for outcome in ImportOutcome.values)


def fields_from_item(item: dict) -> dict:
    """The model fields a (schema-valid) item states; "not stated" becomes blank or null."""
    duration = item.get("duration_days")
    return {
        "external_id": item["id"],
        "title": item["title"].strip(),
        "summary": item["summary"].strip(),
        "research_areas": list(item["research_areas"]),
        "sample_type": item.get("sample_type") or "",
        "needs": list(item.get("needs") or []),
        "crew_time": item.get("crew_time") or "",
        "duration_days": None if duration is None else Decimal(str(duration)),
        "sample_return": item.get("sample_return"),
        "variable_gravity": item.get("variable_gravity"),
        "year": item["year"],
        "team": (item.get("team") or "").strip(),
        "sources": list(item["sources"]),
        "confidence": item["confidence"],
    }


def _parse(source) -> tuple[list, list[Problem], set[int]]:
    """The items, the schema's problems, and the indexes of items too broken to check further.

    Raises at once when the document as a whole is unusable (not JSON, another format, no list of precedents).
    """
    try:
        document = parse_document(source, PRECEDENTS)
    except InterchangeError as error:
        data = loads(source) if isinstance(source, str | bytes) else source
        items = data.get("precedents") if isinstance(data, dict) else None
        matches = [ITEM_PATH.match(problem.path) for problem in error.problems]
        if not isinstance(items, list) or not all(matches):
            raise
        return items, list(error.problems), {int(match.group(1)) for match in matches if match}
    return document["precedents"], [], set()


def _listings_by_id(items, skip: set[int]) -> dict[str, list[Capability]]:
    ids = {facility for index, item in enumerate(items) if index not in skip for facility in item["facilities"]}
    found = defaultdict(list)
    for capability in (
        Capability.objects.filter(external_id__in=ids).select_related("organisation").order_by("organisation__name")
    ):
        found[capability.external_id].append(capability)
    return found


def _model_problems(path: str, values: dict) -> list[Problem]:
    """The model's field checks (lengths, decimal places, sources), without the database."""
    candidate = Precedent(**values)
    try:
        candidate.full_clean(
            exclude=["origin", "flight_status", "proposal", "introduction", "recorded_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        return [
            Problem(f"{path}.{ITEM_KEYS.get(name, name)}", message)
            for name, messages in sorted(error.message_dict.items())
            for message in messages
        ]
    return []


def plan_import(source) -> ImportPlan:
    """Validate ``source`` (JSON text, bytes or a parsed document) and work out what importing it would do.

    Raises ``InterchangeError`` with every problem found; writes nothing.
    """
    items, problems, skip = _parse(source)
    listings = _listings_by_id(items, skip)
    first_seen: dict[str, int] = {}
    entries = []
    for index, item in enumerate(items):
        if index in skip:
            continue
        path = f"$.precedents[{index}]"
        item_id = item["id"]
        if item_id in first_seen:
            problems.append(
                Problem(
                    f"{path}.id",
                    f"{item_id!r} is also the id of $.precedents[{first_seen[item_id]}]; ids must be unique",
                )
            )
            continue
        first_seen[item_id] = index
        if item_id.startswith(PORTAL_ID_PREFIX):
            problems.append(
                Problem(
                    f"{path}.id",
                    f"{item_id!r} starts with {PORTAL_ID_PREFIX!r}, which is kept for flights recorded on this "
                    "portal; choose another id",
                )
            )
        flew_on = []
        for position, facility in enumerate(item["facilities"]):
            candidates = listings.get(facility, [])
            where = f"{path}.facilities[{position}]"
            if not candidates:
                problems.append(
                    Problem(
                        where,
                        f"no listing has the id {facility!r}; import its catalogue entry first (manage.py "
                        "import_capabilities) or correct the id",
                    )
                )
            elif len(candidates) > 1:
                owners = " and ".join(capability.organisation.name for capability in candidates)
                problems.append(
                    Problem(
                        where,
                        f"{facility!r} is the id of listings of {owners}, so it is ambiguous; a precedent's listing "
                        "ids must each name one listing (rename one of those listings)",
                    )
                )
            else:
                flew_on.append(candidates[0])
        values = fields_from_item(item)
        problems += _model_problems(path, values)
        entries.append(EntryPlan(index, item_id, values, flew_on))
    if problems:
        raise InterchangeError(sorted(problems, key=_problem_order))
    return _with_outcomes(entries)


def _problem_order(problem: Problem):
    match = ITEM_PATH.match(problem.path)
    return (int(match.group(1)) if match else -1, problem.path)


def _with_outcomes(entries: list[EntryPlan]) -> ImportPlan:
    existing = {
        precedent.external_id: precedent
        for precedent in Precedent.objects.filter(external_id__in=[e.external_id for e in entries]).prefetch_related(
            "listings"
        )
    }
    for entry in entries:
        precedent = existing.get(entry.external_id)
        if precedent is None:
            continue
        entry.precedent = precedent
        entry.changed = [name for name in PRECEDENT_FIELDS if getattr(precedent, name) != entry.values[name]]
        if {listing.pk for listing in precedent.listings.all()} != {listing.pk for listing in entry.listings}:
            entry.changed.append("facilities")
        entry.outcome = ImportOutcome.UPDATED if entry.changed else ImportOutcome.UNCHANGED
    return ImportPlan(entries)


def apply_import(plan: ImportPlan, source_name: str = "") -> ImportPlan:
    """Carry out ``plan`` (call inside the transaction that planned it)."""
    reason = f"Imported from {source_name}" if source_name else "Imported"
    evidence = []
    with transaction.atomic():
        for entry in plan.entries:
            if entry.outcome == ImportOutcome.UNCHANGED:
                continue
            new_listings = {listing.pk for listing in entry.listings}
            if entry.outcome == ImportOutcome.CREATED:
                precedent = Precedent(origin=PrecedentOrigin.CURATED, **entry.values)
                precedent._change_reason = reason
                precedent.save()
                entry.precedent = precedent
                evidence.append(Evidence(set(precedent.needs), new_listings))
            else:
                assert entry.precedent is not None  # an update names the precedent it changes
                precedent = entry.precedent
                old_listings = {listing.pk for listing in precedent.listings.all()}  # prefetched by the plan
                evidence.append(Evidence({*precedent.needs, *entry.values["needs"]}, old_listings | new_listings))
                fields = [name for name in entry.changed if name != "facilities"]
                for name in fields:
                    setattr(precedent, name, entry.values[name])
                precedent._change_reason = reason
                precedent.save(update_fields=[*fields, "updated_at"])
            if "facilities" in entry.changed or entry.outcome == ImportOutcome.CREATED:
                precedent._change_reason = f"{reason} (listings)"
                precedent.listings.set(entry.listings)
        request_rescoring(evidence)
    return plan


def import_precedents(source, source_name: str = "") -> ImportPlan:
    """Validate and import a document in one transaction. Raises ``InterchangeError`` and writes nothing when
    anything is wrong; returns the plan it carried out."""
    with transaction.atomic():
        return apply_import(plan_import(source), source_name)


# --- Export -----------------------------------------------------------------------------------------------------


def exportable(precedent: Precedent) -> str | None:
    """Why ``precedent`` cannot be exported (the format needs at least one listing), or None."""
    if not precedent.listings.all():
        return "none of the listings that flew it exists any more (they were deleted)"
    return None


def export_document(precedents) -> dict:
    """A validated ``leoportal.precedents/1`` document of ``precedents`` (their listings loaded: ``with_listings``)."""
    document = {"format": PRECEDENTS, "precedents": [precedent.to_interchange() for precedent in precedents]}
    return parse_document(document, PRECEDENTS)


# --- For the matching engine ------------------------------------------------------------------------------------

ENGINE_FIELDS = (
    "external_id",
    "title",
    "summary",
    "research_areas",
    "sample_type",
    "needs",
    "crew_time",
    "duration_days",
    "sample_return",
    "variable_gravity",
    "year",
    "confidence",
    "origin",
    "flight_status",
)


def engine_items() -> list[dict]:
    """Every precedent as plain data for the engine, in one query, ordered by id.

    Each dict has the keys of a precedents-interchange item (``id``, ``title``, ``summary``, ``research_areas``,
    ``sample_type``, ``needs``, ``crew_time``, ``duration_days``, ``sample_return``, ``variable_gravity``,
    ``facilities`` (the listings' interchange ids, sorted), ``year``, ``confidence``), plus:

    * ``origin``: "curated" or "portal";
    * ``label``: what an explanation may call it. A curated precedent's title; for a portal precedent a generic
      phrase (``PORTAL_LABEL``), because its title and summary are a confidential proposal's. The text fields are
      still given for portal precedents (similarity needs them) and must never be shown;
    * ``flight_status``: "flown" or "manifested" (only portal precedents can be manifested: say "is manifested
      on", not "flew on", for those);
    * ``listing_refs``: the listings' primary keys, in the order of ``facilities`` (the ``ref`` of the engine's
      capabilities: two providers may use the same listing id).
    """
    rows = Precedent.objects.order_by("external_id", "listings__external_id", "listings__pk").values(
        *ENGINE_FIELDS, "listings__external_id", "listings__pk"
    )
    items: dict[str, dict] = {}
    for row in rows:
        item = items.get(row["external_id"])
        if item is None:
            portal = row["origin"] == PrecedentOrigin.PORTAL
            item = items[row["external_id"]] = {
                "id": row["external_id"],
                "title": row["title"],
                "summary": row["summary"],
                "research_areas": list(row["research_areas"]),
                "sample_type": row["sample_type"] or None,
                "needs": list(row["needs"]),
                "crew_time": row["crew_time"] or None,
                "duration_days": _number(row["duration_days"]),
                "sample_return": row["sample_return"],
                "variable_gravity": row["variable_gravity"],
                "facilities": [],
                "year": row["year"],
                "confidence": row["confidence"],
                "origin": row["origin"],
                "label": PORTAL_LABEL if portal else row["title"],
                "flight_status": row["flight_status"],
                "listing_refs": [],
            }
        if row["listings__pk"] is not None:
            item["facilities"].append(row["listings__external_id"])
            item["listing_refs"].append(row["listings__pk"])
    return list(items.values())


def fingerprint() -> tuple:
    """Changes whenever a precedent is added, changed or removed (one aggregate query): for caches of the engine's
    input, as ``projects.domain.scoring.catalogue_fingerprint`` is for listings."""
    row = Precedent.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    return row["count"], row["changed"]


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- Changes reach the matcher ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What a precedent says, for rescoring: the kinds of hardware it needed and the listings that flew it."""

    needs: set[str]
    listing_ids: set[int]


def evidence_of(precedent: Precedent) -> Evidence:
    """What ``precedent`` says in the database now (read again, not from a prefetch or unsaved changes)."""
    if precedent.pk is None:
        return Evidence(set(), set())
    needs = Precedent.objects.filter(pk=precedent.pk).values_list("needs", flat=True).first() or []
    return Evidence(set(needs), listing_ids(precedent))


def request_rescoring(changes) -> None:
    """Queue rescoring for changed precedents: ``changes`` holds the ``Evidence`` before and after each change.

    A precedent is evidence for the listings that flew it, so each of those listings is reported like a changed
    listing (projects/domain/scoring/: a ``RescoreRequest`` row, then the task that handles every pending request),
    with its own kinds of hardware and the precedent's needs: the open proposals that need them are rescored once
    the transaction commits. The rows are written first, so a broker that is down delays the rescoring (the
    periodic sweep queues it) and never loses it.
    """
    categories: dict[int, set[str]] = defaultdict(set)
    for evidence in changes:
        for listing_id in evidence.listing_ids:
            categories[listing_id].update(evidence.needs)
    if not categories:
        return
    for listing_id, offered in Capability.objects.filter(pk__in=categories).values_list("pk", "categories"):
        categories[listing_id].update(offered)
    RescoreRequest.objects.bulk_create(
        RescoreRequest(capability_id=listing_id, categories=sorted(categories[listing_id]))
        for listing_id in sorted(categories)
    )
    dispatch(rescore_requested_task)


def listing_ids(precedent: Precedent) -> set[int]:
    """The ids of the listings ``precedent`` has in the database now (not a prefetch)."""
    if precedent.pk is None:
        return set()
    return set(
        Precedent.listings.through.objects.filter(precedent_id=precedent.pk).values_list("capability_id", flat=True)
    )


def precedent_changed(precedent: Precedent, before: Evidence) -> None:
    """An edit made outside these functions (the admin's form) was saved: tell the matcher what it could move."""
    after = evidence_of(precedent)
    request_rescoring([Evidence(before.needs | after.needs, before.listing_ids | after.listing_ids)])


def delete_precedent(precedent: Precedent) -> None:
    """Remove a precedent (its history stays) and rescore what it may have moved."""
    with transaction.atomic():
        request_rescoring([evidence_of(precedent)])
        precedent.delete()
