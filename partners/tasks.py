import smtplib

from celery import shared_task

from leoportal.dispatch import retrying

# Tasks are leaves: each imports its domain module inside its body, so the domain modules can import these tasks at
# the top of their files to queue them.


@shared_task(
    name="partners.send_invitation_email",
    **retrying(OSError, smtplib.SMTPException),
)
def send_invitation_task(invitation_id: int) -> bool:
    """E-mail one member invitation (the Celery name is kept for messages already queued)."""
    from partners.domain import organisations  # noqa: PLC0415 -- leaf

    return organisations.send_invitation_email(invitation_id)
