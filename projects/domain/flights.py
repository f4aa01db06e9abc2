"""Portal outcomes become flight precedents: program staff record, from an introduction, that the introduced proposal
flew (or is manifested) on one of that provider's listings, and in which year.

``record_flight`` checks the record (staff only; the proposal accepted; the listing the introduced provider's; a
year that fits the status), creates or updates the proposal's precedent for that listing (one per proposal and
listing, so recording again updates it and the same record twice changes nothing), keeps the history, and queues
rescoring of the open proposals the new evidence could move. The precedent copies the proposal's text, because
matching compares text: it is as confidential as the proposal, and anything shown outside the admin names it only
as "a similar proposal on this portal" (``projects.domain.precedents.PORTAL_LABEL``).
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from leoportal.models import User
from leoportal.rules import is_program_staff
from partners.enums import CapabilityStatus, Confidence, ImportOutcome
from partners.models import Capability
from projects.domain.precedents import PORTAL_ID_PREFIX, Evidence, request_rescoring
from projects.enums import FlightStatus, PrecedentOrigin, ProposalStatus
from projects.exceptions import FlightRecordError
from projects.models import Introduction, Precedent, Proposal
from projects.models.precedents import PRECEDENT_MAX_DAYS, PRECEDENT_YEARS, SUMMARY_LENGTHS, TITLE_LENGTHS

# The statuses in which a proposal can have flown or be manifested: selected for flight. (Later flight stages,
# should the status model gain them, belong here too.)
FLIGHT_STATUSES = (ProposalStatus.ACCEPTED,)


@dataclass
class RecordedFlight:
    precedent: Precedent
    outcome: str  # an ImportOutcome: created, updated or unchanged


def portal_precedent_id(proposal: Proposal, listing: Capability) -> str:
    """The precedent of ``proposal`` flying on ``listing``: one per pair, so recording again updates it. Opaque,
    since the id may travel where the proposal may not."""
    digest = hashlib.sha256(f"{proposal.public_id}:{listing.public_id}".encode()).hexdigest()
    return f"{PORTAL_ID_PREFIX}{digest[:24]}"


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def portal_text(proposal: Proposal) -> tuple[str, str]:
    """The title and summary a portal precedent copies from its proposal: the summary and why microgravity, the
    text a researcher writes about the experiment and its needs, clipped to the format's 2,000 characters."""
    parts = [proposal.summary.strip(), proposal.why_microgravity.strip()]
    summary = _clip("\n\n".join(part for part in parts if part), SUMMARY_LENGTHS[1])
    return _clip(proposal.title.strip(), TITLE_LENGTHS[1]), summary


def proposal_flight_problem(proposal: Proposal) -> str | None:
    """Why no flight of ``proposal`` can be recorded in its status, or None."""
    if proposal.status not in FLIGHT_STATUSES:
        return (
            f"“{proposal.display_title}” is {proposal.get_status_display().lower()}: only an accepted proposal can "
            "have flown or be manifested. Record the flight once the proposal is accepted."
        )
    return None


def flight_problem(introduction: Introduction, listing: Capability, status: str, year: int, today=None) -> str | None:
    """Why this flight cannot be recorded, or None when it can."""
    proposal = introduction.proposal
    organisation = introduction.organisation
    this_year = (today or timezone.localdate()).year
    if problem := proposal_flight_problem(proposal):
        return problem
    if listing.organisation_id != organisation.pk:
        return (
            f"{listing.name} is listed by {listing.organisation.name}, not by {organisation.name}, the provider "
            "this proposal was introduced to. Choose one of their listings, or record it from the introduction to "
            f"{listing.organisation.name}."
        )
    if status not in FlightStatus.values:
        return "Say whether the experiment flew or is manifested."
    low, high = PRECEDENT_YEARS
    if not isinstance(year, int) or not low <= year <= high:
        return f"Give the year of the flight, from {low} to {high}."
    if status == FlightStatus.FLOWN and year > this_year:
        return f"A flight in {year} has not happened yet: record it as manifested, or correct the year."
    if status == FlightStatus.MANIFESTED and year < this_year:
        return f"A flight planned for {year} should have flown by now: record it as flown, or correct the year."
    if status == FlightStatus.MANIFESTED and listing.status == CapabilityStatus.RETIRED:
        return f"{listing.name} is retired and takes no new flights: record a flight that happened as flown."
    title, summary = portal_text(proposal)
    if len(title) < TITLE_LENGTHS[0] or len(summary) < SUMMARY_LENGTHS[0] or not proposal.research_areas:
        return (
            f"“{proposal.display_title}” has too little to compare with other proposals: a precedent needs a title "
            f"of at least {TITLE_LENGTHS[0]} characters, {SUMMARY_LENGTHS[0]} characters of summary and a research "
            "area."
        )
    return None


def portal_values(proposal: Proposal, listing: Capability, status: str, year: int) -> dict:
    """What a portal precedent states: the proposal's text and flight requirements, the flight and its source."""
    title, summary = portal_text(proposal)
    duration = proposal.duration_days
    verb = "flew" if status == FlightStatus.FLOWN else "is manifested to fly"
    return {
        "title": title,
        "summary": summary,
        "research_areas": list(proposal.research_areas),
        "sample_type": proposal.sample_type,
        "needs": list(proposal.needs),
        "crew_time": proposal.crew_time,
        # A proposal may state up to 100 years on orbit; the format stops at 10 (longer is left not stated).
        "duration_days": duration if duration is not None and duration <= PRECEDENT_MAX_DAYS else None,
        "sample_return": proposal.sample_return,
        "variable_gravity": proposal.variable_gravity,
        "year": year,
        "team": proposal.organisation[:300],
        "sources": [
            f"LEO Portal: program staff recorded that this proposal {verb} on {listing.name} "
            f"({listing.organisation.name}) in {year}."
        ],
        # Staff know a flight happened; a manifest can still slip or be cancelled.
        "confidence": Confidence.HIGH if status == FlightStatus.FLOWN else Confidence.MEDIUM,
        "flight_status": status,
    }


def record_flight(introduction: Introduction, listing: Capability, status: str, year: int, by: User) -> RecordedFlight:
    """Program staff record that the introduced proposal flew (or is manifested) on ``listing`` in ``year``.

    Creates the portal precedent of that proposal and listing, or updates it (recording the same again changes
    nothing); the history names ``by``; open proposals that the new evidence could move are rescored after commit.
    Raises ``FlightRecordError`` with the reason when the flight cannot be recorded.
    """
    if not is_program_staff(by):
        raise FlightRecordError("Only program staff record flights.")
    with transaction.atomic():
        # The proposal's row lock serialises records of its flights (and any status move) so the checks hold.
        proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=introduction.proposal_id)
        introduction = Introduction.objects.select_related("organisation").get(pk=introduction.pk)
        introduction.proposal = proposal
        listing = Capability.objects.select_related("organisation").get(pk=listing.pk)
        problem = flight_problem(introduction, listing, status, year)
        if problem:
            raise FlightRecordError(problem)
        values = portal_values(proposal, listing, status, year)
        external_id = portal_precedent_id(proposal, listing)
        precedent = Precedent.objects.select_for_update().filter(external_id=external_id).first()
        label = FlightStatus(status).label.lower()
        if precedent is None:
            precedent = Precedent(
                external_id=external_id,
                origin=PrecedentOrigin.PORTAL,
                proposal=proposal,
                introduction=introduction,
                recorded_by=by,
                **values,
            )
            precedent._history_user = by
            precedent._change_reason = f"Flight recorded: {label} on {listing.name} in {year}"
            precedent.save()
            precedent.listings.set([listing])
            outcome = ImportOutcome.CREATED
        else:
            changed = [name for name, value in values.items() if getattr(precedent, name) != value]
            if not changed:
                return RecordedFlight(precedent, ImportOutcome.UNCHANGED)
            for name in changed:
                setattr(precedent, name, values[name])
            precedent.introduction, precedent.recorded_by = introduction, by
            precedent._history_user = by
            precedent._change_reason = f"Flight recorded again: {label} on {listing.name} in {year}"
            precedent.save(update_fields=[*changed, "introduction", "recorded_by", "updated_at"])
            outcome = ImportOutcome.UPDATED
        request_rescoring([Evidence(set(precedent.needs), {listing.pk})])
    return RecordedFlight(precedent, outcome)


def flights_of(introduction: Introduction) -> list[Precedent]:
    """The portal precedents of the introduced proposal on the listings of the organisation it was introduced to."""
    return list(
        Precedent.objects.portal()
        .filter(proposal_id=introduction.proposal_id, listings__organisation_id=introduction.organisation_id)
        .select_related("recorded_by")
        .with_listings()
        .distinct()
        .order_by("-year", "pk")
    )
