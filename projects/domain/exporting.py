"""Export proposals as a leoportal.proposals/1 document (each item is Proposal.to_interchange())."""

from leoportal.interchange import PROPOSALS, parse_document
from projects.enums import ProposalStatus

# By default everything that was submitted at some point: drafts are unfinished and often untitled.
DEFAULT_EXPORT_STATUSES = tuple(status for status in ProposalStatus if status != ProposalStatus.DRAFT)


def exportable(proposal) -> str | None:
    """Why ``proposal`` cannot be exported (the format needs a title and a summary), or None."""
    missing = [name for name in ("title", "summary") if not getattr(proposal, name).strip()]
    return f"has no {' and no '.join(missing)}" if missing else None


def export_document(proposals) -> dict:
    """A validated document of ``proposals`` (raises InterchangeError if one would not validate)."""
    document = {"format": PROPOSALS, "proposals": [proposal.to_interchange() for proposal in proposals]}
    return parse_document(document, PROPOSALS)
