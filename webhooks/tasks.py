from celery import shared_task

# Tasks are leaves: each imports its domain module inside its body, so the domain modules can import these tasks at
# the top of their files to queue them. A failed attempt is not a task failure: the delivery row records it and the
# sweep retries it when its backoff has passed.


@shared_task(name="webhooks.send_delivery")
def send_delivery_task(delivery_id: int) -> bool:
    """Make one attempt at a due delivery; the claim in deliveries.send_delivery lets one worker through."""
    from webhooks.domain import deliveries  # noqa: PLC0415 -- leaf

    return deliveries.send_delivery(delivery_id)
