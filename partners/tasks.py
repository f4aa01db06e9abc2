import smtplib

from celery import shared_task

from leoportal.dispatch import dispatch, retrying

# Tasks are leaves: each imports its domain module inside its body, so the domain modules can import these tasks at
# the top of their files to queue them.


@shared_task(
    name="partners.send_invitation_email",
    **retrying(OSError, smtplib.SMTPException),
)
def send_invitation(invitation_id: int) -> bool:
    """E-mail one member invitation (the Celery name is kept for messages already queued)."""
    from partners.domain import organisations  # noqa: PLC0415 -- leaf

    return organisations.send_invitation_email(invitation_id)


@shared_task(name="partners.send_pending_invitations")
def send_pending_invitations() -> int:
    """Queue member invitations whose e-mail never went out (the broker was down when they were made); the claim in
    send_invitation_email sends each once."""
    from partners.domain import organisations  # noqa: PLC0415 -- leaf

    invitation_ids = organisations.unsent_invitation_ids()
    for invitation_id in invitation_ids:
        dispatch(send_invitation, invitation_id)
    return len(invitation_ids)
