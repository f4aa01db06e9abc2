from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses connections."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server refused the connection")
