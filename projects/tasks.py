import smtplib

from celery import shared_task
from django.db import InterfaceError, OperationalError

from leoportal.dispatch import retrying

# Tasks are leaves: each imports its domain module inside its body, so the domain modules can import these tasks at
# the top of their files to queue them.


@shared_task(
    name="projects.send_invitation",
    **retrying(OSError, smtplib.SMTPException),
)
def send_invitation_task(invitation_id: int) -> bool:
    """E-mail one co-investigator invitation (once: the task claims the row before sending)."""
    from projects.domain import invitations  # noqa: PLC0415 -- leaf

    return invitations.send_invitation_email(invitation_id)


@shared_task(
    name="projects.send_reviewer_invitation",
    **retrying(OSError, smtplib.SMTPException),
)
def send_reviewer_invitation_task(invitation_id: int) -> bool:
    """E-mail one reviewer invitation (once: the task claims the row before sending)."""
    from projects.domain import panels  # noqa: PLC0415 -- leaf

    return panels.send_reviewer_invitation_email(invitation_id)


@shared_task(name="projects.remind_overdue_reviews")
def remind_overdue_reviews_task() -> int:
    """Remind reviewers of reviews past their round's due date (once each)."""
    from projects.domain import panels  # noqa: PLC0415 -- leaf

    return panels.remind_overdue()


@shared_task(name="projects.delete_orphaned_files")
def delete_orphaned_files_task() -> int:
    """Remove attachment files that no row refers to (see projects.domain.attachments.delete_orphaned_files)."""
    from projects.domain import attachments  # noqa: PLC0415 -- leaf

    return len(attachments.delete_orphaned_files())


@shared_task(name="projects.send_deadline_reminders")
def send_deadline_reminders_task() -> int:
    """Remind teams of unsubmitted proposals a week and a day before their deadline (each reminder once)."""
    from projects.domain import reminders  # noqa: PLC0415 -- leaf

    return reminders.send_deadline_reminders()


# --- Matching -----------------------------------------------------------------------------------------------------
# Thin and tolerant: primitive arguments, return quietly when the proposal is gone, idempotent (a rerun replaces the
# same rows), retried with backoff on database errors. Concurrency is handled by row locks in projects.domain.scoring.

DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    name="projects.score_proposal",
    bind=True,
    **retrying(*DATABASE_ERRORS),
)
def score_proposal_task(self, proposal_id: int) -> bool:
    from projects.domain import scoring  # noqa: PLC0415 -- leaf

    try:
        return scoring.score_proposal(proposal_id)
    except scoring.ScoringBusy as busy:
        # Another worker is scoring it right now; score again after it, so the newest facts win.
        raise self.retry(countdown=5, exc=busy, max_retries=20) from busy


@shared_task(name="projects.rescore_requested", **retrying(*DATABASE_ERRORS))
def rescore_requested_task() -> int:
    """Listings changed: rescore the open proposals they could move (every pending change at once)."""
    from projects.domain import scoring  # noqa: PLC0415 -- leaf

    return scoring.rescore_requested()


@shared_task(name="projects.rescore_proposals", **retrying(*DATABASE_ERRORS))
def rescore_proposals_task(proposal_ids: list[int]) -> int:
    """Staff asked to rescore these proposals (closed ones are skipped by rescore)."""
    from projects.domain import scoring  # noqa: PLC0415 -- leaf

    return scoring.rescore(proposal_ids).proposals


@shared_task(name="projects.rescore_stale", **retrying(*DATABASE_ERRORS))
def rescore_stale_task() -> int:
    """Nightly: rescore results from an older algorithm version or older than the listings they read."""
    from projects.domain import scoring  # noqa: PLC0415 -- leaf

    ids = scoring.stale_proposal_ids()
    return scoring.rescore(ids).proposals if ids else 0


@shared_task(name="projects.refresh_listing_demand", **retrying(*DATABASE_ERRORS))
def refresh_listing_demand_task() -> int:
    from projects.domain import scoring  # noqa: PLC0415 -- leaf

    return scoring.refresh_listing_demand()
