"""Webhook endpoints an organisation registers, and every delivery to them (a row first, then sent)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from webhooks.enums import DeliveryStatus, Event


class Endpoint(models.Model):
    """An HTTPS address of an organisation's own system that is told of the events it chose.

    ``secret`` signs every delivery (HMAC-SHA256); it is shown to the organisation once, when made or rotated, and
    must be kept here in full because signing needs it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField("address", max_length=500, help_text="The HTTPS address that receives the events.")
    events = models.JSONField(default=list, help_text="The events this endpoint is told of.")
    description = models.CharField(max_length=200, blank=True, help_text="What receives them, for your own records.")
    secret = models.CharField(max_length=100, editable=False)
    secret_rotated_at = models.DateTimeField(default=timezone.now, editable=False)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"), name="webhook_url_http"
            ),
        ]

    def __str__(self):
        return f"{self.url} ({self.organisation})"

    def get_absolute_url(self):
        return reverse("webhooks:endpoint", kwargs={"slug": self.organisation.slug, "public_id": self.public_id})

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [labels.get(event, event) for event in self.events]


class Delivery(models.Model):
    """One event for one endpoint: recorded in the transaction that caused it, sent by a task after the commit,
    retried with backoff by the sweep until it is delivered or runs out of attempts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=60)
    payload = models.JSONField(help_text="The event's data, sent as the body's “data”.")
    dedupe_key = models.CharField(max_length=200, help_text="The same event is recorded once per endpoint.")
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_response = models.CharField("last answer", max_length=500, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "dedupe_key"], name="webhook_delivery_once"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.event} to {self.endpoint.url} ({self.get_status_display().lower()})"


class Attempt(models.Model):
    """One try at sending a delivery, with what the endpoint answered (or why nothing came back)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response = models.CharField("answer", max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once")]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery}"
