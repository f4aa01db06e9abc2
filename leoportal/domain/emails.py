"""Every e-mail the site sends (notifications, digests, invitations) is built here.

The subject is made one line first: it carries names, titles and organisations people typed, and a line break in a
header makes Django refuse the message (``BadHeaderError``), so a name saved before names were checked, or arriving
another way, would stop the e-mail for good. See leoportal/text.py.
"""

from django.core.mail import EmailMultiAlternatives

from leoportal.text import single_line

SUBJECT_PREFIX = "[LEO Portal] "
SUBJECT_MAX_LENGTH = 250  # long subjects are folded by mail programs; past this one is only noise


def build_email(*, subject: str, text: str, html: str | None, to: str) -> EmailMultiAlternatives:
    """A plain-text message with an optional HTML alternative, to one address, with a one-line subject."""
    subject = single_line(subject)
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    message = EmailMultiAlternatives(subject=f"{SUBJECT_PREFIX}{subject}", body=text, to=[single_line(to)])
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message
