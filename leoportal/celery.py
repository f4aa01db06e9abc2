"""The Celery application: configured from Django settings (CELERY_*), tasks autodiscovered in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leoportal.settings")

app = Celery("leoportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
