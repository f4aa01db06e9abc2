"""The projects app's exceptions, in one place: each carries a message for the person who tried, in their words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from projects.enums import ProposalStatus as S

if TYPE_CHECKING:  # names for annotations only: the exceptions sit below the models and the domain
    from projects.domain.submission import Missing
    from projects.models import Proposal


class TransitionError(ValueError):
    """A status move that was refused; the message says why, in words for the person who tried."""


class IllegalTransition(TransitionError):
    pass


class TransitionNotAllowed(TransitionError):
    pass


class BulkTransitionRefused(TransitionError):
    """Some proposals of a bulk move may not make it, so none moved. ``refusals``: (proposal, reason) pairs."""

    def __init__(self, new_status: S, refusals: list[tuple[Proposal, str]]):
        self.new_status = S(new_status)
        self.refusals = refusals
        super().__init__(
            f"{len(refusals)} proposal{'s' if len(refusals) != 1 else ''} cannot move to “{self.new_status.label}”."
        )


class DraftNotEditable(TransitionError):
    pass


class SubmissionRefused(TransitionError):
    """The proposal cannot be submitted yet. ``missing`` lists what to complete, section by section."""

    def __init__(self, message: str, missing: list[Missing] = ()):
        self.missing = list(missing)
        super().__init__(message)

    def by_section(self) -> dict[str, list[Missing]]:
        sections: dict[str, list[Missing]] = {}
        for item in self.missing:
            sections.setdefault(item.section, []).append(item)
        return sections


class CallNotOpen(SubmissionRefused):
    """The call has closed (or not opened yet). The draft is kept."""


class AttachmentNotAllowed(PermissionError):
    pass


class TooManyFiles(ValidationError):
    """The proposal holds as many files, or as many megabytes, as it may."""


class InvitationError(ValueError):
    """The invitation cannot be used; the message tells the person what to do instead."""


class IntroductionError(Exception):
    """An introduction or answer that is not allowed, with the reason to show."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class ReviewRefused(ValueError):
    """The reviewer may not review this proposal; the message says why, addressed to them."""


class PanelError(ValueError):
    """A review panel action (inviting, joining, assigning) that cannot be done; the message says why and what to do
    instead."""


class FlightRecordError(Exception):
    """A flight that cannot be recorded, with the reason to show to the member of staff."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class ScoringBusy(Exception):
    """Another worker holds the proposal's lock and is scoring it right now."""
