"""The checks a proposal passes before it is submitted: everything it still needs, section by section, and an open
call. projects.domain.transitions runs them when a proposal moves to "submitted"; the draft form lists them."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import Promise

from projects.enums import AttachmentKind, ProposalStatus
from projects.exceptions import CallNotOpen, SubmissionRefused
from projects.models import FLIGHT_REQUIREMENT_FIELDS, Proposal

LIST_FIELDS = {"research_areas", "needs"}
# What the researcher's form may change (everything but ownership, status and the audit fields), section by section.
SECTIONS = {
    "Overview": ["title", "call", "summary", "objectives"],
    "Team and eligibility": ["organisation", "uei", "cage_code", "attest_us_persons", "attest_export_control"],
    "Science": ["why_microgravity", "earth_benefit", "research_areas", "trl_current", "trl_target"],
    "Flight requirements": [*FLIGHT_REQUIREMENT_FIELDS, "hardware_unsure"],
    "Funding": ["amount_requested", "matching_funds", "matching_funds_sources"],
}
EDITABLE_FIELDS = tuple(field for fields in SECTIONS.values() for field in fields)
# A concept summary (calls with a concept step): about one page, what staff need to decide whether to invite a full
# proposal. The call is fixed when the concept is started; the team lead is the principal investigator.
CONCEPT_FIELDS = ("title", "summary", "why_microgravity", "research_areas", "needs", "hardware_unsure", "organisation")
REQUIRED_FOR_CONCEPT = ("title", "summary", "why_microgravity", "research_areas", "organisation")
CONCEPT_WORD_LIMIT = 600  # summary and why microgravity together: about one page

# Needed before a proposal can be submitted. Flight requirements are never required: "not stated" is an answer.
REQUIRED_TO_SUBMIT = {
    "Overview": ["title", "summary", "objectives"],
    "Team and eligibility": ["organisation", "uei"],
    "Science": ["why_microgravity", "earth_benefit", "research_areas", "trl_current", "trl_target"],
    "Funding": ["amount_requested"],
}
ATTESTATIONS = {
    "attest_us_persons": "Confirm that the PI and co-PIs are U.S. persons at U.S. entities",
    "attest_export_control": "Confirm that export control is the proposer's responsibility",
}
CO_INVESTIGATOR_FIELDS = {"name": "name", "email": "e-mail address", "organisation": "organisation", "role": "role"}


@dataclass(frozen=True)
class Missing:
    """Something a proposal needs before it can be submitted: the form section, the field, and what to do."""

    section: str
    field: str
    message: str

    @property
    def anchor(self) -> str:
        if self.field == "narrative":
            return "attachments"
        if self.field.startswith("coi-"):
            return "co-investigators"
        if self.field in LIST_FIELDS or self.field.startswith("attest_"):
            return f"div_id_{self.field}"
        return f"id_{self.field}"


def format_deadline(moment) -> str:
    return format_date(timezone.localtime(moment), "j F Y, H:i T")


def format_usd(amount: Decimal) -> str:
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"


# --- Submission -----------------------------------------------------------------------------------------------


def _labels() -> dict[str, str | Promise]:  # verbose names, often lazy translations
    return {field.name: field.verbose_name for field in Proposal._meta.get_fields() if hasattr(field, "verbose_name")}


def concept_words(proposal: Proposal) -> int:
    return len(proposal.summary.split()) + len(proposal.why_microgravity.split())


def missing_for_concept(proposal: Proposal) -> list[Missing]:
    """What a concept summary still needs before it can be submitted, in form order."""
    labels = _labels()
    missing = [
        Missing("Concept", field, str(labels[field])[:1].upper() + str(labels[field])[1:])
        for field in REQUIRED_FOR_CONCEPT
        if getattr(proposal, field) in (None, "", [])
    ]
    if not proposal.needs and not proposal.hardware_unsure:
        missing.append(
            Missing("Concept", "needs", "Hardware needed: choose the kinds you expect to need, or tick “Not sure yet”")
        )
    words = concept_words(proposal)
    if words > CONCEPT_WORD_LIMIT:
        missing.append(
            Missing(
                "Concept",
                "summary",
                f"Length: the summary and “why microgravity” come to {words:,} words; a concept summary is at most "
                f"{CONCEPT_WORD_LIMIT} words (about one page). Shorten them by {words - CONCEPT_WORD_LIMIT:,} words; "
                "the details belong in the full proposal",
            )
        )
    return missing


def missing_for_submission(proposal: Proposal) -> list[Missing]:
    """Everything the proposal still needs before it can be submitted, in form order."""
    if proposal.is_concept:
        return missing_for_concept(proposal)
    labels = _labels()
    missing = []

    def required(section, field):
        value = getattr(proposal, field)
        if value in (None, "", []):
            label = str(labels[field])
            missing.append(Missing(section, field, label[:1].upper() + label[1:]))

    for field in REQUIRED_TO_SUBMIT["Overview"]:
        required("Overview", field)
    if proposal.call_id is None and not settings.ALLOW_UNSOLICITED_PROPOSALS:
        missing.append(Missing("Overview", "call", "Call: choose the call this proposal answers"))

    for field in REQUIRED_TO_SUBMIT["Team and eligibility"]:
        required("Team and eligibility", field)
    for number, coi in enumerate(proposal.co_investigators.all(), start=1):
        absent = [label for field, label in CO_INVESTIGATOR_FIELDS.items() if not getattr(coi, field)]
        if absent:
            who = coi.name or f"Co-investigator {number}"
            missing.append(Missing("Team and eligibility", f"coi-{number}", f"{who}: {', '.join(absent)}"))
    for field, message in ATTESTATIONS.items():
        if not getattr(proposal, field):
            missing.append(Missing("Team and eligibility", field, message))

    for field in REQUIRED_TO_SUBMIT["Science"]:
        required("Science", field)

    if not proposal.needs and not proposal.hardware_unsure:
        missing.append(
            Missing(
                "Flight requirements",
                "needs",
                "Hardware needed: choose the kinds you expect to need, or tick “Not sure yet, ask staff” "
                "(matching is weak without them)",
            )
        )

    required("Funding", "amount_requested")
    if proposal.matching_funds and not proposal.matching_funds_sources.strip():
        missing.append(Missing("Funding", "matching_funds_sources", "Sources of matching funds: say who provides them"))
    cap = proposal.call.funding_cap if proposal.call else None
    if cap is not None and proposal.amount_requested is not None and proposal.amount_requested > cap:
        missing.append(
            Missing(
                "Funding",
                "amount_requested",
                f"Amount requested: {format_usd(proposal.amount_requested)} is above the call's cap of "
                f"{format_usd(cap)}",
            )
        )

    if not any(attachment.kind == AttachmentKind.NARRATIVE for attachment in proposal.attachments.all()):
        missing.append(Missing("Attachments", "narrative", "Full narrative (PDF)"))
    return missing


def check_call_accepts(proposal: Proposal, now=None) -> None:
    """A submission needs the call open for its stage: a concept before the concept deadline, a full proposal
    before the call's deadline. A resubmission after revisions was invited, so the deadline passed for it long ago
    and is no reason to refuse."""
    if proposal.status == ProposalStatus.REVISIONS_REQUESTED:
        return
    call = proposal.call
    if call is None:
        if not settings.ALLOW_UNSOLICITED_PROPOSALS:
            raise SubmissionRefused(
                "Choose the call your proposal answers: unsolicited proposals are not accepted.",
                [Missing("Overview", "call", "Call: choose the call this proposal answers")],
            )
        return
    now = now or timezone.now()
    if proposal.is_concept and now >= call.concept_closes_at:
        raise CallNotOpen(
            f"Concept summaries for {call.code} were due on {format_deadline(call.concept_closes_at)}; it no longer "
            "accepts them. Your draft is saved."
        )
    if now >= call.closes_at:
        raise CallNotOpen(
            f"{call.code} closed on {format_deadline(call.closes_at)} and no longer accepts proposals. "
            "Your draft is saved."
        )
    if now < call.opens_at:
        raise CallNotOpen(
            f"{call.code} opens on {format_deadline(call.opens_at)}; you can submit from then. Your draft is saved."
        )


def check_ready_to_submit(proposal: Proposal) -> None:
    check_call_accepts(proposal)
    missing = missing_for_submission(proposal)
    if missing:
        count = len(missing)
        raise SubmissionRefused(
            f"Your draft is saved, but {count} thing{'s' if count != 1 else ''} must be completed before you can "
            "submit.",
            missing,
        )
