"""Import ``leoportal.capabilities/1`` documents: the inverse of ``Capability.to_interchange()``.

Plain functions, no request: ``manage.py import_capabilities``, the organisation admin's upload and (later) a
Celery task for big imports all call them.

* ``plan_import`` validates the whole document (the JSON Schema, then what a schema cannot say: min <= max,
  windows that do not overlap, one entry per id and provider, an upload naming only its own organisation) and
  raises ``InterchangeError`` listing every problem with its JSON path. When the document is valid it returns what
  importing it would do, entry by entry: create, update (which fields) or leave unchanged. It writes nothing.
* ``apply_import`` carries a plan out through the listing domain functions, so every change is reported to the
  matcher like an edit in the browser.
* ``import_capabilities`` does both in one transaction: all or nothing.

Upsert rules: an entry is matched to an existing listing by its ``id`` within its provider (the organisation of
that name, case-insensitive). A document states a listing in full, so a key that is missing or null sets the fact
to "not stated". New listings are published unless ``publish_new`` is false; an existing listing keeps its
publication state (publishing is the provider's decision), which is also why a second import of the same
document changes nothing. An entry without ``status`` is taken as operational. ``sources`` and ``confidence``
(keys the schema leaves open) are kept when present and valid.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Field
from django.db.models.functions import Lower

from leoportal.interchange import CAPABILITIES, InterchangeError, Problem, json_path, loads, parse_document
from partners.domain import listings
from partners.domain.organisations import get_or_create_verified_organisation
from partners.enums import CapabilityStatus, Confidence, ImportOutcome
from partners.models import Capability, Organisation, validate_sources

ENTRY_PATH = re.compile(r"^\$\.capabilities\[(\d+)\](?:\.(.+))?$")

# Where each model field lives in an interchange entry (for error paths).
FIELD_PATHS = {
    "external_id": "id",
    "temperature_min_c": "temperature_c.min",
    "temperature_max_c": "temperature_c.max",
    "variable_gravity_min_g": "variable_gravity_g.min",
    "variable_gravity_max_g": "variable_gravity_g.max",
    "availability": "availability",
}
# How changed fields are named to people: by their interchange key.
CHANGE_LABELS = {
    "external_id": "id",
    "temperature_min_c": "temperature_c",
    "temperature_max_c": "temperature_c",
    "variable_gravity_min_g": "variable_gravity_g",
    "variable_gravity_max_g": "variable_gravity_g",
}


@dataclass
class EntryPlan:
    index: int
    provider: str
    external_id: str
    name: str
    values: dict
    windows: list | None
    outcome: str = ImportOutcome.CREATED
    changed: list[str] = field(default_factory=list)
    capability: Capability | None = None

    @property
    def changed_labels(self) -> list[str]:
        """The changed facts by their interchange names, each once."""
        labels = []
        for name in self.changed:
            label = CHANGE_LABELS.get(name, name)
            if label not in labels:
                labels.append(label)
        return labels


@dataclass
class ImportPlan:
    entries: list[EntryPlan]
    new_organisations: list[str]
    publish_new: bool

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ImportOutcome.values, 0)
        for entry in self.entries:
            counts[entry.outcome] += 1
        return counts

    def by_outcome(self, outcome: str) -> list[EntryPlan]:
        return [entry for entry in self.entries if entry.outcome == outcome]

    @property
    def changes_anything(self) -> bool:
        return bool(self.new_organisations) or any(e.outcome != ImportOutcome.UNCHANGED for e in self.entries)

    def digest(self) -> str:
        """A fingerprint of what the plan would do, to notice that listings changed between preview and confirm."""
        summary = [[entry.provider.lower(), entry.external_id, entry.outcome, entry.changed] for entry in self.entries]
        payload = json.dumps([sorted(self.new_organisations), self.publish_new, summary], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def summary(self) -> str:
        counts = self.counts()
        return ", ".join(f"{counts[outcome]} {outcome}" for outcome in ImportOutcome.values)


def _date(text: str) -> date:
    return date.fromisoformat(text)


def entry_values(entry: dict) -> tuple[dict, list | None]:
    """The listing fields and availability windows an interchange entry states (validated by the schema)."""
    temperature = entry.get("temperature_c") or {}
    gravity = entry.get("variable_gravity_g") or {}
    availability = entry.get("availability")
    windows = None if availability is None else [(_date(w["start"]), _date(w["end"])) for w in availability]
    cold = entry.get("cold_stowage_c")
    values = {
        "external_id": entry["id"],
        "name": entry["name"],
        "platform": entry.get("platform") or "",
        "status": entry.get("status") or CapabilityStatus.OPERATIONAL,
        "categories": list(entry["categories"]),
        "research_areas": list(entry.get("research_areas") or []),
        "description": entry.get("description") or "",
        "temperature_min_c": _float(temperature.get("min")),
        "temperature_max_c": _float(temperature.get("max")),
        "co2_control": entry.get("co2_control"),
        "humidity_control": entry.get("humidity_control"),
        "capacity_units": entry.get("capacity_units"),
        "max_duration_days": _float(entry.get("max_duration_days")),
        "power_w": _float(entry.get("power_w")),
        "crew_time": entry.get("crew_time") or "",
        "imaging": entry.get("imaging"),
        "variable_gravity_min_g": _float(gravity.get("min")),
        "variable_gravity_max_g": _float(gravity.get("max")),
        "sample_return": entry.get("sample_return"),
        "cold_stowage_c": None if cold is None else [float(t) for t in cold],
        "biosafety_level": entry.get("biosafety_level"),
        "first_flight_year": entry.get("first_flight_year"),
        # The schema leaves sources open: anything but a list is reported by _semantic_problems, not read here.
        "sources": list(sources) if isinstance(sources := entry.get("sources"), list) else [],
        "confidence": entry.get("confidence") or "",
    }
    return values, windows


def _float(value):
    return None if value is None else float(value)


def _entry_path(index: int, key: str, *more) -> str:
    return json_path(["capabilities", index, *key.split("."), *more])


def _semantic_problems(index: int, entry: dict, values: dict, windows) -> list[Problem]:
    """What the schema cannot check about one (schema-valid) entry."""
    problems = []
    for key, unit in (("temperature_c", "°C"), ("variable_gravity_g", "g")):
        span = entry.get(key)
        if span and span["min"] > span["max"]:
            problems.append(
                Problem(
                    _entry_path(index, f"{key}.min"),
                    f"min ({span['min']:g} {unit}) is greater than max ({span['max']:g} {unit})",
                )
            )
    for window_index, window in enumerate(entry.get("availability") or []):
        if _date(window["start"]) > _date(window["end"]):
            problems.append(
                Problem(
                    _entry_path(index, "availability", window_index),
                    f"the window ends ({window['end']}) before it starts ({window['start']})",
                )
            )
    for (first_start, first_end), (second_start, second_end) in listings.overlapping_windows(windows or []):
        problems.append(
            Problem(
                _entry_path(index, "availability"),
                f"windows overlap ({first_start} to {first_end} and {second_start} to {second_end}); "
                "merge them or move one",
            )
        )
    if "sources" in entry:
        try:
            validate_sources(entry["sources"])
        except ValidationError as error:
            problems.append(Problem(_entry_path(index, "sources"), error.messages[0]))
    if entry.get("confidence") not in (None, *Confidence.values):
        problems.append(
            Problem(
                _entry_path(index, "confidence"),
                f"{entry['confidence']!r} is not valid here; expected one of {', '.join(Confidence.values)} or null",
            )
        )
    if not problems:
        problems += _model_problems(index, values)
    return problems


def _model_problems(index: int, values: dict) -> list[Problem]:
    """The model's own field checks (lengths, bounds), without the database."""
    capability = Capability(**values)
    try:
        capability.clean_fields(exclude=["organisation"])
        capability.clean()
    except ValidationError as error:
        return [
            Problem(_entry_path(index, FIELD_PATHS.get(name, name)), message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def _entry_index(path: str) -> int | None:
    match = ENTRY_PATH.match(path)
    return int(match.group(1)) if match else None


def _problem_order(problem: Problem) -> int:
    index = _entry_index(problem.path)
    return -1 if index is None else index


def _parse(source) -> tuple[dict, list[Problem]]:
    """The document and the schema's problems with its entries; raises at once when the document as a whole is
    unusable (not JSON, another format, no list of capabilities)."""
    try:
        return parse_document(source, CAPABILITIES), []
    except InterchangeError as error:
        if any(_entry_index(problem.path) is None for problem in error.problems):
            raise
        document = loads(source) if isinstance(source, str | bytes) else source
        return document, list(error.problems)


def plan_import(source, *, organisation: Organisation | None = None, publish_new: bool = True, max_entries=None):
    """Validate ``source`` (JSON text, bytes or a parsed document) and work out what importing it would do.

    With ``organisation``, every entry must name that organisation as its provider (an upload by its admin).
    Raises ``InterchangeError`` with every problem found; writes nothing.
    """
    document, problems = _parse(source)
    entries = document["capabilities"]
    if max_entries is not None and len(entries) > max_entries:
        raise InterchangeError(
            [
                Problem(
                    "$.capabilities",
                    f"the document holds {len(entries)} listings; upload at most {max_entries} at a time",
                )
            ]
        )
    # Entries the schema refused are not checked further (their values may be of any type), but every other
    # entry is, so one run lists everything there is to fix.
    refused = {_entry_index(problem.path) for problem in problems}
    plans = []
    seen: dict[tuple[str, str], int] = {}  # (provider, id) -> the index of its first entry
    for index, entry in enumerate(entries):
        if index in refused:
            continue
        provider = entry["provider"].strip()
        if organisation is not None and provider.lower() != organisation.name.lower():
            problems.append(
                Problem(
                    _entry_path(index, "provider"),
                    f"this upload can only change listings of {organisation.name}; the entry names {provider!r}",
                )
            )
        key = (provider.lower(), entry["id"])
        if key in seen:
            problems.append(
                Problem(
                    _entry_path(index, "id"),
                    f"{entry['id']!r} of {provider} appears twice (also at $.capabilities[{seen[key]}]); ids must "
                    "be unique within a provider",
                )
            )
        seen.setdefault(key, index)
        values, windows = entry_values(entry)
        problems += _semantic_problems(index, entry, values, windows)
        plans.append(EntryPlan(index, provider, entry["id"], entry["name"], values, windows))
    if problems:
        raise InterchangeError(sorted(problems, key=_problem_order))
    return _with_outcomes(plans, organisation, publish_new)


def _with_outcomes(plans: list[EntryPlan], organisation, publish_new: bool) -> ImportPlan:
    names = {plan.provider.lower() for plan in plans}
    if organisation is not None:
        organisations = {organisation.name.lower(): organisation}
    else:
        organisations = {
            org.lower_name: org
            for org in Organisation.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=names)
        }
    existing = {
        (capability.organisation.name.lower(), capability.external_id): capability
        for capability in Capability.objects.filter(organisation__in=organisations.values()).with_related()
    }
    for plan in plans:
        capability = existing.get((plan.provider.lower(), plan.external_id))
        if capability is None:
            continue
        plan.capability = capability
        plan.changed = listings.changed_fields(capability, plan.values, plan.windows)
        plan.outcome = ImportOutcome.UPDATED if plan.changed else ImportOutcome.UNCHANGED
    new_organisations: dict[str, str] = {}  # lower-cased name -> the name as first written
    for plan in plans:
        if plan.provider.lower() not in organisations:
            new_organisations.setdefault(plan.provider.lower(), plan.provider)
    return ImportPlan(plans, list(new_organisations.values()), publish_new)


def apply_import(plan: ImportPlan, *, organisation: Organisation | None = None, progress=None) -> ImportPlan:
    """Carry out ``plan`` (call inside the transaction that planned it). ``progress(done, total)`` is optional."""
    organisations = {}
    total = len(plan.entries)
    with transaction.atomic():
        for done, entry in enumerate(plan.entries, start=1):
            if entry.outcome == ImportOutcome.CREATED:
                owner = organisation
                if owner is None:
                    key = entry.provider.lower()
                    if key not in organisations:
                        organisations[key], _created = get_or_create_verified_organisation(entry.provider)
                    owner = organisations[key]
                entry.capability = listings.create_capability(
                    owner, values=entry.values, windows=entry.windows, publish=plan.publish_new
                )
            elif entry.outcome == ImportOutcome.UPDATED:
                assert entry.capability is not None  # the plan found the listing it updates
                listings.update_capability(entry.capability, values=entry.values, windows=entry.windows)
            if progress is not None:
                progress(done, total)
    return plan


def import_capabilities(source, *, organisation=None, publish_new=True, progress=None, max_entries=None):
    """Validate and import a document in one transaction. Raises ``InterchangeError`` and writes nothing when
    anything is wrong; returns the plan it carried out."""
    with transaction.atomic():
        plan = plan_import(source, organisation=organisation, publish_new=publish_new, max_entries=max_entries)
        return apply_import(plan, organisation=organisation, progress=progress)


def export_document(capabilities) -> dict:
    """A ``leoportal.capabilities/1`` document of ``capabilities`` (with their related rows loaded)."""
    items = []
    for capability in capabilities:
        item = capability.to_interchange()
        if capability.confidence:
            item["confidence"] = capability.confidence
        items.append(item)
    return {"format": CAPABILITIES, "capabilities": items}


@dataclass
class EntryProblems:
    index: int | None
    label: str
    problems: list[tuple[str, str, str]]  # (what the field is called on the listing form, JSON path, message)

    def as_json(self) -> dict:
        """As a background job keeps it (leoportal.models.BackgroundJob.problems)."""
        return {"entry": self.index, "label": self.label, "problems": [list(problem) for problem in self.problems]}


# The keys of an entry that are not named after a model field, as the listing form calls them.
KEY_LABELS = {
    "id": "Identifier",
    "provider": "Provider",
    "temperature_c": "Temperature range (°C)",
    "variable_gravity_g": "Gravity range (g)",
    "availability": "Availability windows",
    "sources": "Sources",
    "confidence": "Confidence",
}
FIELD_OF_PATH = {path: field for field, path in FIELD_PATHS.items()}
KEY_PATH = re.compile(r"^(?P<key>[A-Za-z0-9_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<rest>.+))?$")


def _capitalised(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def field_label(relative_path: str) -> str:
    """What a person calls the field at ``relative_path`` of an entry ("temperature_c.min" is "Lowest temperature
    (°C)", "availability[0].start" is "Availability window 1, start"); the path itself if it names no field."""
    if relative_path in FIELD_OF_PATH and relative_path not in KEY_LABELS:
        try:
            return _capitalised(cast(Field, Capability._meta.get_field(FIELD_OF_PATH[relative_path])).verbose_name)
        except FieldDoesNotExist:  # a field of the form only (its label comes below)
            pass
    match = KEY_PATH.match(relative_path)
    if match is None:
        return relative_path
    key, index, rest = match.group("key"), match.group("index"), match.group("rest")
    if key in KEY_LABELS:
        label = KEY_LABELS[key]
    else:
        try:
            label = _capitalised(cast(Field, Capability._meta.get_field(key)).verbose_name)
        except FieldDoesNotExist:
            return relative_path
    if index is not None:
        number = int(index) + 1
        label = f"Availability window {number}" if key == "availability" else f"{label}, item {number}"
    return f"{label}, {rest.replace('_', ' ')}" if rest else label


def problems_by_entry(error: InterchangeError, document) -> list[EntryProblems]:
    """Group an import's problems by entry (document-wide problems first), each with the field's label, its JSON
    path and the message."""
    entries = document.get("capabilities") if isinstance(document, dict) else None
    groups: dict[int | None, EntryProblems] = {}
    for problem in error.problems:
        match = ENTRY_PATH.match(problem.path)
        if match is None:
            group = groups.setdefault(None, EntryProblems(None, "The document", []))
            label = "The list of listings" if problem.path == "$.capabilities" else "The file"
            group.problems.append((label, problem.path, problem.message))
            continue
        index = int(match.group(1))
        if index not in groups:
            groups[index] = EntryProblems(index, _entry_label(index, entries), [])
        label = field_label(match.group(2)) if match.group(2) else "The entry"
        groups[index].problems.append((label, problem.path, problem.message))
    return sorted(groups.values(), key=lambda group: -1 if group.index is None else group.index)


def _entry_label(index: int, entries) -> str:
    label = f"Entry {index + 1}"
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    if isinstance(entry, dict):
        described = " · ".join(str(entry[key]) for key in ("id", "name") if isinstance(entry.get(key), str))
        if described:
            label += f" ({described})"
    return label
