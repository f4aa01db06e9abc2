from django.apps import AppConfig


class LeoPortalConfig(AppConfig):
    name = "leoportal"
    verbose_name = "Accounts and site"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from leoportal import task_failures  # noqa: F401 - connects the Celery failure signal

        # Every app's jobs.py registers its kinds of background job (leoportal.jobs), in web and worker alike.
        autodiscover_modules("jobs")
