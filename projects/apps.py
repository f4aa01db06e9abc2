from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Proposals and matching"

    def ready(self):
        from leoportal.domain import outbox  # noqa: PLC0415 -- app ready
        from projects import (  # noqa: PLC0415 -- app ready
            receivers,  # noqa: F401 - connects the matcher to listing changes
            tasks,
        )
        from projects.domain import invitations, panels, scoring  # noqa: PLC0415 -- app ready

        outbox.register("projects.invitations", overdue=invitations.overdue_ids, task=tasks.send_invitation_task)
        outbox.register(
            "projects.reviewer_invitations",
            overdue=panels.overdue_reviewer_invitation_ids,
            task=tasks.send_reviewer_invitation_task,
        )
        outbox.register("projects.scoring", overdue=scoring.unscored_proposal_ids, task=tasks.score_proposal_task)
        outbox.register(
            "projects.rescore_requests",
            overdue=scoring.overdue_rescore_request_ids,
            task=tasks.rescore_requested_task,
            batch=True,
        )
