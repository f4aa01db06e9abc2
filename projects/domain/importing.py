"""Import proposals from a leoportal.proposals/1 document: the inverse of Proposal.to_interchange().

All or nothing: the document is validated against the schema, then every item is checked against the same rules
the database enforces (ranges, pairs, decimal places, unique ids); if anything is wrong, every problem is reported
with its JSON path and nothing is written. An item's ``id`` is its stable key: importing a document again updates
the proposals it created (or exported) in place, and importing the same document twice changes nothing.
"""

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from leoportal.interchange import PROPOSALS, InterchangeError, Problem, loads, parse_document
from leoportal.models import User
from projects.enums import ProposalStatus, Stage
from projects.models import MATCHER_FIELDS, Call, Proposal, StatusChange

# Where each model field lives in an item (for problem paths).
FIELD_PATHS = {
    "temperature_min_c": "temperature_c.min",
    "temperature_max_c": "temperature_c.max",
    "launch_earliest": "launch_window.earliest",
    "launch_latest": "launch_window.latest",
    "co2": "co2",
}
# The statuses an import may give new proposals: past submissions, or drafts for their owner to finish.
IMPORT_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.DRAFT)


@dataclass
class ImportResult:
    created: list[Proposal] = field(default_factory=list)
    updated: list[Proposal] = field(default_factory=list)
    unchanged: list[Proposal] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - the schema admits numbers only
        return None


def fields_from_item(item: dict) -> dict:
    """The model fields an interchange item sets ("not stated" becomes null or blank)."""
    temperature = item.get("temperature_c") or {}
    window = item.get("launch_window") or {}
    return {
        "title": item["title"].strip(),
        "summary": item["summary"].strip(),
        "why_microgravity": (item.get("why_microgravity") or "").strip(),
        "research_areas": list(item.get("research_areas") or []),
        "sample_type": item.get("sample_type") or "",
        "needs": list(item.get("needs") or []),
        "temperature_min_c": _decimal(temperature.get("min")),
        "temperature_max_c": _decimal(temperature.get("max")),
        "co2": item.get("co2"),
        "humidity": item.get("humidity"),
        "units_needed": item.get("units_needed"),
        "duration_days": _decimal(item.get("duration_days")),
        "power_w": _decimal(item.get("power_w")),
        "crew_time": item.get("crew_time") or "",
        "imaging": item.get("imaging"),
        "variable_gravity": item.get("variable_gravity"),
        "sample_return": item.get("sample_return"),
        "return_temperature_c": _decimal(item.get("return_temperature_c")),
        "biosafety_level": item.get("biosafety_level"),
        "launch_earliest": parse_date(window["earliest"]) if window.get("earliest") else None,
        "launch_latest": parse_date(window["latest"]) if window.get("latest") else None,
    }


def _item_problems(path: str, values: dict) -> list[Problem]:
    """The cross-field rules, said in the file's terms, then every field rule of the model."""
    problems = []
    flagged = set()
    low, high = values["temperature_min_c"], values["temperature_max_c"]
    if low is not None and high is not None and low > high:
        problems.append(Problem(f"{path}.temperature_c", f"min {low} is above max {high}"))
        flagged |= {"temperature_min_c", "temperature_max_c"}
    earliest, latest = values["launch_earliest"], values["launch_latest"]
    if earliest is not None and latest is not None and earliest > latest:
        problems.append(Problem(f"{path}.launch_window", f"earliest {earliest} is after latest {latest}"))
        flagged |= {"launch_earliest", "launch_latest"}
    if values["return_temperature_c"] is not None and values["sample_return"] is False:
        problems.append(
            Problem(
                f"{path}.return_temperature_c",
                "a return temperature is given but sample_return is false; drop one of them",
            )
        )
        flagged.add("return_temperature_c")
    candidate = Proposal(**values)
    exclude = [f.name for f in Proposal._meta.fields if f.name not in values or f.name in flagged]
    try:
        candidate.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in sorted(error.message_dict.items()):
            where = f"{path}.{FIELD_PATHS.get(name, name)}"
            problems += [Problem(where, message) for message in messages]
    return problems


def import_proposals(
    source,
    owner: User,
    status: ProposalStatus = ProposalStatus.SUBMITTED,
    call: Call | None = None,
    source_name: str = "",
) -> ImportResult:
    """Import every proposal of ``source`` (JSON text or a parsed document) for ``owner``, or nothing.

    New proposals get ``status`` (submitted or draft), ``call`` and their item's stage (full when not given);
    existing ones (same id) keep their status, stage and call and have their interchange fields updated. Raises
    InterchangeError listing every problem.
    """
    status = ProposalStatus(status)
    if status not in IMPORT_STATUSES:
        raise ValueError(f"Imported proposals can be {' or '.join(IMPORT_STATUSES)}, not {status}.")
    items, problems, skip = _parse(source)

    ids = [item["id"] for index, item in enumerate(items) if index not in skip]
    existing = {p.external_id: p for p in Proposal.objects.filter(external_id__in=ids)}
    uuids = {}
    for item_id in ids:
        try:
            uuids[item_id] = uuid.UUID(item_id)
        except ValueError:
            continue
    for proposal in Proposal.objects.filter(public_id__in=uuids.values(), external_id=""):
        existing[str(proposal.public_id)] = proposal

    first_seen: dict[str, int] = {}
    planned = []
    for index, item in enumerate(items):
        if index in skip:
            continue
        path = f"$.proposals[{index}]"
        item_id = item["id"]
        if item_id in first_seen:
            problems.append(
                Problem(
                    f"{path}.id",
                    f"{item_id!r} is also the id of $.proposals[{first_seen[item_id]}]; ids must be unique",
                )
            )
            continue
        first_seen[item_id] = index
        target = existing.get(item_id) or existing.get(str(uuids.get(item_id, "")))
        if target is not None and target.owner_id != owner.pk:
            problems.append(Problem(f"{path}.id", f"{item_id!r} is the id of a proposal that belongs to someone else"))
            continue
        values = fields_from_item(item)
        item_problems = _item_problems(path, values)
        stage = Stage(item.get("stage") or Stage.FULL)
        if target is None and stage == Stage.CONCEPT and not (call is not None and call.concept_step):
            item_problems.append(
                Problem(f"{path}.stage", "a concept needs a call with a concept step; import it with such a call")
            )
        problems += item_problems
        planned.append((item_id, target, values, stage))
    if problems:
        raise InterchangeError(sorted(problems, key=_problem_order))

    result = ImportResult()
    now = timezone.now()
    note = f"Imported from {source_name}." if source_name else "Imported."
    with transaction.atomic():
        for item_id, target, values, stage in planned:
            if target is None:
                proposal = Proposal.objects.create(
                    owner=owner,
                    call=call,
                    status=status,
                    stage=stage,
                    external_id=item_id,
                    organisation=owner.organisation,
                    submitted_at=now if status == ProposalStatus.SUBMITTED else None,
                    last_submitted_at=now if status == ProposalStatus.SUBMITTED else None,
                    submission_count=1 if status == ProposalStatus.SUBMITTED else 0,
                    created_at=now,
                    updated_at=now,
                    status_changed_at=now,
                    **values,
                )
                StatusChange.objects.create(
                    proposal=proposal, from_status="", to_status=status, changed_by=None, changed_at=now, note=note
                )
                result.created.append(proposal)
                continue
            changed = [
                name for name in MATCHER_FIELDS if _normalised(getattr(target, name)) != _normalised(values[name])
            ]
            if not changed:
                result.unchanged.append(target)
                continue
            for name in changed:
                setattr(target, name, values[name])
            target.updated_at = now
            target._change_reason = note
            target.save(update_fields=[*changed, "updated_at"])
            result.updated.append(target)
    return result


ITEM_PATH = re.compile(r"^\$\.proposals\[(\d+)\]")


def _parse(source) -> tuple[list, list[Problem], set[int]]:
    """The items, the schema problems, and the indexes of items too broken to check further.

    Items with schema problems are skipped by the semantic checks, but the others are still checked, so one run
    lists every problem in the file.
    """
    try:
        document = parse_document(source, PROPOSALS)
    except InterchangeError as error:
        data = loads(source) if isinstance(source, str | bytes) else source
        items = data.get("proposals") if isinstance(data, dict) else None
        matches = [ITEM_PATH.match(problem.path) for problem in error.problems]
        if not isinstance(items, list) or not all(matches):
            raise  # the document itself is wrong (not JSON, wrong format, no list): nothing more to check
        return items, list(error.problems), {int(match.group(1)) for match in matches if match}
    return document["proposals"], [], set()


def _problem_order(problem: Problem):
    match = ITEM_PATH.match(problem.path)
    return (int(match.group(1)) if match else -1, problem.path)


def _normalised(value):
    return sorted(value) if isinstance(value, list) else value
