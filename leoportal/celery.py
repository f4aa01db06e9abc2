"""The Celery application: configured from Django settings (CELERY_*), tasks autodiscovered in every app."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leoportal.settings")

app = Celery("leoportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def report_at_once(sender=None, **kwargs):
    """A worker that has just started says so through the queue, so /healthz shows it alive before beat's first
    heartbeat a minute later."""
    app.send_task("leoportal.heartbeat")
