"""Saving a draft as the team types: the version a form was opened on, and what others changed since.

A form carries the version of the proposal it was opened on (its last change, ``proposal_version``). A save based
on an older version is refused: ``check_version`` raises StaleDraft, which says who saved since, when, and which
answers they changed (read from the proposal's history), so the person can merge; nothing is saved.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.dateformat import format as format_date

from leoportal.models import User
from projects.domain.proposals import save_draft
from projects.domain.submission import EDITABLE_FIELDS, LIST_FIELDS, SECTIONS, missing_for_submission
from projects.exceptions import DraftNotEditable
from projects.models import Proposal


def proposal_version(proposal: Proposal) -> str:
    return proposal.updated_at.isoformat()


def _parse(version: str) -> datetime | None:
    try:
        return datetime.fromisoformat(version)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Changes:
    """What was saved after a given version: by whom, when, and the labels of the answers that differ."""

    people: list[str]
    at: datetime
    fields: list[str]

    def sentence(self) -> str:
        who = _listed(self.people) if self.people else "Someone"
        when = format_date(timezone.localtime(self.at), "H:i T")
        changed = f", changing {_listed(self.fields)}" if self.fields else ""
        return f"{who} saved this proposal at {when}, after you opened it{changed}."


def _listed(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _label(field: str) -> str:
    name = str(cast(Field, Proposal._meta.get_field(field)).verbose_name)
    return name[:1].upper() + name[1:]


def changes_since(proposal: Proposal, version: str) -> Changes:
    """Who saved ``proposal`` after ``version`` and which answers differ from that version (the history's rows)."""
    opened = _parse(version)
    later = list(
        proposal.history.filter(updated_at__gt=opened).select_related("history_user").order_by("history_date")
        if opened
        else []
    )
    people = []
    for record in later:
        name = record.history_user.display_name if record.history_user else "Someone"
        if name not in people:
            people.append(name)
    base = proposal.history.filter(updated_at=opened).order_by("-history_date").first() if opened else None
    fields = []
    if base is not None:
        for field in EDITABLE_FIELDS:
            attname = "call_id" if field == "call" else field
            before, now = getattr(base, attname), getattr(proposal, attname)
            if field in LIST_FIELDS:
                before, now = sorted(before or []), sorted(now or [])
            if before != now:
                fields.append(_label(field))
    return Changes(people, proposal.updated_at, fields)


class StaleDraft(DraftNotEditable):
    """A save based on an older version of the proposal. ``changes``: what was saved since; ``version``: the
    current version (saving again with it keeps this person's answers over the others')."""

    def __init__(self, changes: Changes, version: str):
        self.changes = changes
        self.version = version
        super().__init__(
            f"{changes.sentence()} Nothing of yours was saved yet, and what you typed is still in the form: compare "
            "it with their answers (open the proposal in another tab), then save again to keep yours."
        )


def saved_by_others_since(proposal: Proposal, opened: str, user: User) -> bool:
    """Whether anyone but ``user`` saved ``proposal`` after the version ``opened`` (an empty ``opened``: a form
    without a version). The person's own saves since (their autosaves racing their button) are no conflict."""
    if not opened or opened == proposal_version(proposal):
        return False
    moment = _parse(opened)
    if moment is None:
        return True
    return proposal.history.filter(updated_at__gt=moment).exclude(history_user=user).exists()


def check_version(proposal: Proposal, opened: str, user: User) -> None:
    """Refuse a save based on a version someone else has saved over since (StaleDraft)."""
    if saved_by_others_since(proposal, opened, user):
        raise StaleDraft(changes_since(proposal, opened), proposal_version(proposal))


def autosave(proposal: Proposal, data: dict, user: User, opened: str) -> set[str]:
    """Save what the form holds now, unless someone else saved since it was opened (StaleDraft)."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)  # no save slips between check and save
        check_version(locked, opened, user)
        return save_draft(proposal, data, user)


# The form's sections as the page names them (the fieldsets' ids), in order.
SECTION_IDS = {
    "Concept": "section-concept",
    "Overview": "section-overview",
    "Team and eligibility": "section-team",
    "Science": "section-science",
    "Flight requirements": "section-flight",
    "Funding": "section-funding",
    "Attachments": "attachments",
}


def section_progress(proposal: Proposal) -> list[dict]:
    """Each section of the proposal's form with what it still needs before submission (the section menu and the
    progress bar): ``{"id", "name", "missing"}``, in form order."""
    missing = missing_for_submission(proposal)
    names = ["Concept"] if proposal.is_concept else [*SECTIONS, "Attachments"]
    return [
        {"id": SECTION_IDS[name], "name": name, "missing": sum(1 for item in missing if item.section == name)}
        for name in names
    ]
