from celery import shared_task

from leoportal.dispatch import dispatch

# Tasks are leaves: each imports its domain module inside its body, so the domain modules can import these tasks at
# the top of their files to queue them. A failed attempt is not a task failure: the delivery row records it and the
# sweep retries it when its backoff has passed.


@shared_task(name="webhooks.send_delivery")
def send_delivery(delivery_id: int) -> bool:
    """Make one attempt at a due delivery; the claim in deliveries.send_delivery lets one worker through."""
    from webhooks.domain import deliveries  # noqa: PLC0415 -- leaf

    return deliveries.send_delivery(delivery_id)


@shared_task(name="webhooks.send_due_deliveries")
def send_due_deliveries() -> int:
    """Queue every delivery whose attempt is due: first attempts the broker never got, retries whose backoff has
    passed, and attempts whose worker died mid-way."""
    from webhooks.domain import deliveries  # noqa: PLC0415 -- leaf

    deliveries.release_stale_claims()
    delivery_ids = deliveries.due_delivery_ids()
    for delivery_id in delivery_ids:
        dispatch(send_delivery, delivery_id)
    return len(delivery_ids)
