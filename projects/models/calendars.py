"""Personal calendar feeds: a secret address per person, with the deadlines of their own proposals."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret token of a person's calendar address. Resetting it (a new token) stops the old address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar of {self.user}"

    def get_absolute_url(self):
        return reverse("projects:personal_calendar", args=[self.token])
