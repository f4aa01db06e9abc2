from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from leoportal.domain import outbox  # noqa: PLC0415 -- app ready
        from webhooks import tasks  # noqa: PLC0415 -- app ready
        from webhooks.domain import deliveries  # noqa: PLC0415 -- app ready

        outbox.register("webhooks.deliveries", overdue=deliveries.overdue_delivery_ids, task=tasks.send_delivery_task)
