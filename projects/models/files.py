"""Proposal attachments: the files themselves live under MEDIA_ROOT, which has no public URL."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from projects.enums import AttachmentKind


def attachment_path(instance, filename) -> str:
    """A random name: the original file name is kept in the row only, never on disk."""
    return f"proposals/{uuid.uuid4().hex}.pdf"


class Attachment(models.Model):
    """A PDF (the narrative or a letter of support). Files live under MEDIA_ROOT, which has no public URL."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200, help_text="The uploaded file's name, made safe.")
    size_bytes = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AttachmentKind.values), name="attachment_kind_valid"),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(kind=AttachmentKind.NARRATIVE),
                name="attachment_one_narrative",
                violation_error_message="A proposal has one narrative; replace it instead.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_absolute_url(self):
        return reverse("projects:attachment_download", args=[self.proposal.public_id, self.public_id])
