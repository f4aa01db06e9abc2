class WebhookError(Exception):
    """An action on webhooks refused; the message says why and what to do, for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
