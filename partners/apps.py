from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Providers and capabilities"

    def ready(self):
        from leoportal.domain import outbox  # noqa: PLC0415 -- app ready
        from partners import tasks  # noqa: PLC0415 -- app ready
        from partners.domain import organisations  # noqa: PLC0415 -- app ready

        outbox.register(
            "partners.invitations", overdue=organisations.overdue_invitation_ids, task=tasks.send_invitation_task
        )
