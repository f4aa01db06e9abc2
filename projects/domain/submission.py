"""The checks a proposal passes before it is submitted: everything it still needs, section by section, and an open
call. projects.domain.transitions runs them when a proposal moves to "submitted"; the draft form lists them."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date

from projects.enums import AttachmentKind
from projects.exceptions import CallNotOpen, SubmissionRefused
from projects.models import Proposal

LIST_FIELDS = {"research_areas", "needs"}

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


def missing_for_submission(proposal: Proposal) -> list[Missing]:
    """Everything the proposal still needs before it can be submitted, in form order."""
    labels = {field.name: field.verbose_name for field in Proposal._meta.get_fields() if hasattr(field, "verbose_name")}
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
    cap = proposal.call.funding_cap if proposal.call_id else None
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
    """A first submission needs an open call. A resubmission after revisions was invited, so the deadline passed
    for it long ago and is no reason to refuse."""
    if proposal.submission_count > 0:
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
