"""Uploaded capability documents waiting for their confirmation, and the background jobs that import them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partners.enums import ImportJobState
from partners.models.organisations import Organisation

FINISHED_STATES = (ImportJobState.SUCCEEDED, ImportJobState.FAILED)


class CapabilityUpload(models.Model):
    """A validated import document an organisation admin uploaded and has not confirmed yet.

    Kept between the preview and the confirmation; the confirmation re-validates it against the listings as they
    are then, and goes ahead only if that gives the changes the admin was shown. Tied to one user and one
    organisation, bounded in size by CAPABILITY_UPLOAD_MAX_KB, and usable for CAPABILITY_UPLOAD_TTL_HOURS.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    document = models.JSONField()
    publish_new = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} for {self.organisation}"


class ImportJob(models.Model):
    """A confirmed upload being imported in the background: its state, progress and outcome.

    Large uploads are applied by a Celery task (partners.tasks.run_capability_import) rather than in the request;
    the admin's browser polls the job's status. The import itself stays all or nothing: the listings and the job's
    success are committed together, and a failure leaves the listings as they were. partners/domain/import_jobs.py is
    the only code that changes these rows. Progress while running is kept in the cache (the import's own transaction
    is not visible until it commits); ``done`` holds the count once the job has finished.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    upload = models.OneToOneField(CapabilityUpload, on_delete=models.CASCADE, related_name="job")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=ImportJobState.choices, default=ImportJobState.QUEUED)
    digest = models.CharField(max_length=64, help_text="The plan the admin confirmed (ImportPlan.digest()).")
    total = models.PositiveIntegerField(default=0, help_text="Entries in the document.")
    done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    summary = models.CharField(max_length=200, blank=True, help_text="What the import did, once it succeeded.")
    error = models.TextField(blank=True, help_text="Why it failed, for the admin who confirmed it.")
    problems = models.JSONField(default=list, blank=True, help_text="The document's problems: [[path, message], ...].")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ImportJobState.values), name="import_job_state_valid"),
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="import_job_done_within_total"),
            models.CheckConstraint(
                condition=Q(state__in=FINISHED_STATES, finished_at__isnull=False)
                | (~Q(state__in=FINISHED_STATES) & Q(finished_at__isnull=True)),
                name="import_job_finished_at_when_finished",
            ),
            models.CheckConstraint(
                condition=~Q(state=ImportJobState.FAILED) | ~Q(error=""), name="import_job_failure_has_a_reason"
            ),
        ]

    def __str__(self):
        return f"Import of {self.upload.filename} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES
