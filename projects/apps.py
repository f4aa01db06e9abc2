from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Proposals and matching"

    def ready(self):
        from projects import receivers  # noqa: F401, PLC0415 -- app ready: connects the matcher to listing changes
