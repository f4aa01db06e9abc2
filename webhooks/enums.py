from django.db import models


class Event(models.TextChoices):
    """What an organisation's endpoints may be told of. The values are the ``event`` field of every payload."""

    INTRODUCTION_RECEIVED = "introduction.received", "An introduction received by the organisation"
    REQUEST_APPROVED = "introduction_request.approved", "A researcher's request about a listing approved"
    DEMAND_CHANGED = "listing.demand_changed", "A listing's demand figures changed"


# Sent only by the "Send a test event" button, never subscribed to.
TEST_EVENT = "webhook.test"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (no more attempts)"
