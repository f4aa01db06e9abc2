"""Each submission freezes a version of the proposal, and any two versions can be compared.

``freeze_version`` runs inside set_proposal_status when a proposal is submitted (and resubmitted): it keeps the
answers, the team and the attachments, copying each uploaded file once (a later version that kept the same upload
shares its copy). ``compare`` lists what changed between two versions, field by field: long texts as a word diff,
files as added, removed or replaced.
"""

import difflib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import cast

from django.core.files.storage import default_storage
from django.db.models import Field

from projects.domain.submission import CONCEPT_FIELDS, EDITABLE_FIELDS
from projects.models import Proposal, ProposalVersion

LONG_TEXTS = {"summary", "objectives", "why_microgravity", "earth_benefit", "matching_funds_sources"}


def _json(value):
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def freeze_version(proposal: Proposal, by, at) -> ProposalVersion:
    """Keep what ``proposal`` says now as its next version (call within the submission's transaction)."""
    previous = proposal.versions.order_by("-number").first()
    kept = {item["key"]: item["stored"] for item in (previous.files if previous else [])}
    fields = CONCEPT_FIELDS if proposal.is_concept else EDITABLE_FIELDS
    answers = {
        name: _json(proposal.call.code if name == "call" and proposal.call else getattr(proposal, name))
        for name in fields
        if name != "call"
    }
    if not proposal.is_concept:
        answers["call"] = proposal.call.code if proposal.call else ""
    number = (previous.number if previous else 0) + 1
    files = []
    for attachment in proposal.attachments.all():
        key = f"{attachment.public_id}:{attachment.uploaded_at.isoformat()}"
        stored = kept.get(key)
        if stored is None:
            with attachment.file.open("rb") as handle:
                stored = default_storage.save(
                    f"proposal-versions/{proposal.public_id}/{number}-{attachment.kind}.pdf", handle
                )
        files.append(
            {
                "kind": attachment.kind,
                "name": attachment.original_name,
                "size_bytes": attachment.size_bytes,
                "page_count": attachment.page_count,
                "stored": stored,
                "key": key,
            }
        )
    team = [
        {"name": coi.name, "email": coi.email, "organisation": coi.organisation, "role": coi.role}
        for coi in proposal.co_investigators.all()
    ]
    return ProposalVersion.objects.create(
        proposal=proposal,
        number=number,
        stage=proposal.stage,
        submitted_at=at,
        submitted_by=by,
        answers=answers,
        team=team,
        files=files,
    )


@dataclass(frozen=True)
class Change:
    """One answer that differs: its label, the values before and after, and for long texts the word diff as
    (operation, words) pairs, the operation "same", "removed" or "added"."""

    label: str
    before: str
    after: str
    words: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    older: ProposalVersion
    newer: ProposalVersion
    answers: list[Change]
    team: list[str]
    files: list[str]

    @property
    def unchanged(self) -> bool:
        return not (self.answers or self.team or self.files)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The words of ``before`` and ``after`` as runs kept, removed and added."""
    old, new = before.split(), after.split()
    runs = []
    for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if operation == "equal":
            runs.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("added", " ".join(new[j1:j2])))
    return runs


def _label(name: str) -> str:
    if name == "call":
        return "Call"
    label = str(cast(Field, Proposal._meta.get_field(name)).verbose_name)
    return label[:1].upper() + label[1:]


def _shown(value) -> str:
    if value in (None, "", []):
        return "Not stated"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _member(member: dict) -> str:
    return f"{member['name'] or member['email']} ({member['organisation'] or 'no organisation'})"


def compare(older: ProposalVersion, newer: ProposalVersion) -> Comparison:
    """What changed from ``older`` to ``newer``, in form order."""
    answers = []
    for name in [*EDITABLE_FIELDS]:
        if name not in older.answers and name not in newer.answers:
            continue
        before, after = older.answers.get(name), newer.answers.get(name)
        if isinstance(before, list) and isinstance(after, list) and sorted(before) == sorted(after):
            continue
        if before == after or (before in (None, "") and after in (None, "")):
            continue
        if name in LONG_TEXTS:
            answers.append(Change(_label(name), before or "", after or "", word_diff(before or "", after or "")))
        else:
            answers.append(Change(_label(name), _shown(before), _shown(after)))
    old_team = {member["email"] or member["name"]: member for member in older.team}
    new_team = {member["email"] or member["name"]: member for member in newer.team}
    team = [f"Added {_member(new_team[key])}" for key in new_team if key not in old_team]
    team += [f"Removed {_member(old_team[key])}" for key in old_team if key not in new_team]
    team += [
        f"Changed {_member(new_team[key])}" for key in new_team if key in old_team and new_team[key] != old_team[key]
    ]
    files = []
    old_files = {item["key"]: item for item in older.files}
    new_files = {item["key"]: item for item in newer.files}
    old_by_kind = {item["kind"]: item for item in older.files if item["kind"] == "narrative"}
    for key, item in new_files.items():
        if key in old_files:
            continue
        replaced = old_by_kind.get(item["kind"]) if item["kind"] == "narrative" else None
        if replaced:
            files.append(f"Full narrative replaced: “{replaced['name']}” → “{item['name']}”")
        else:
            files.append(f"Added “{item['name']}”")
    for key, item in old_files.items():
        if key not in new_files and not (
            item["kind"] == "narrative" and any(new["kind"] == "narrative" for new in newer.files)
        ):
            files.append(f"Removed “{item['name']}”")
    return Comparison(older, newer, answers, team, files)


@dataclass(frozen=True)
class Latest:
    """A proposal's latest submitted version and what changed since the one before (None for a first version)."""

    version: ProposalVersion
    changes: Comparison | None


def latest_changes(proposal: Proposal) -> Latest | None:
    """The latest version and its differences from the previous one, or None before the first submission."""
    newest = list(proposal.versions.order_by("-number")[:2])
    if not newest:
        return None
    return Latest(newest[0], compare(newest[1], newest[0]) if len(newest) == 2 else None)
