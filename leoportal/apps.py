from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class LeoPortalConfig(AppConfig):
    name = "leoportal"
    verbose_name = "Accounts and site"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules  # noqa: PLC0415 -- app ready

        from leoportal import tasks  # noqa: PLC0415 -- app ready
        from leoportal.domain import (  # noqa: PLC0415 -- app ready
            jobs,
            notifications,  # also forgets a user's kept unread count when one of theirs changes
            outbox,
            public_pages,
            second_factor,  # noqa: F401 - counts a second factor added for the session that added it
            task_failures,  # noqa: F401 - connects the Celery failure signal
        )

        # The public pages kept for visitors forget their fingerprints when a listing, call or precedent changes.
        public_pages.connect()
        # Every app's jobs.py registers its kinds of background job (leoportal.domain.jobs), in web and worker alike.
        autodiscover_modules("jobs")
        outbox.register(
            "leoportal.notification_emails",
            overdue=notifications.overdue_email_ids,
            task=tasks.send_notification_email_task,
        )
        outbox.register("leoportal.jobs", overdue=jobs.overdue_ids, task=tasks.run_background_job_task)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site of leoportal/admin_site.py as ``admin.site``."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "leoportal.admin_site.StaffAdminSite"

    def ready(self):
        from django.contrib.admin import options  # noqa: PLC0415 -- app ready
        from django.db import models  # noqa: PLC0415 -- app ready

        from leoportal.forms import LabelledSplitDateTime  # noqa: PLC0415 -- app ready

        # Every ModelAdmin starts from these defaults: its date-and-time fields name their two boxes.
        options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DateTimeField]["widget"] = LabelledSplitDateTime
        super().ready()  # registers every app's admin.py
        from leoportal.admin import register_second_factors  # noqa: PLC0415 -- app ready

        register_second_factors()
