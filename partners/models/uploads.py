"""Uploaded capability documents waiting for their confirmation (a large one is imported by a background job of
kind ``partners.capability_import``, see partners/domain/uploads.py)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from partners.models.organisations import Organisation


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
