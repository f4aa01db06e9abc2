from django.db import models


class Role(models.TextChoices):
    RESEARCHER = "researcher", "Researcher"
    PROVIDER = "provider", "Provider (implementation partner)"
    REVIEWER = "reviewer", "Reviewer (invited by program staff)"


class NotificationKind(models.TextChoices):
    SUBMISSION = "submission", "New submission or resubmission"
    STRONG_MATCH = "strong_match", "Strong match found"
    STATUS_CHANGE = "status_change", "Proposal status changed"
    INTRODUCTION = "introduction", "Introduction to a proposal"
    INTRODUCTION_ANSWER = "introduction_answer", "Answer to an introduction"
    INTRODUCTION_REQUEST = "introduction_request", "Request for an introduction"
    ORGANISATION_TO_VERIFY = "organisation_to_verify", "New provider organisation to verify"
    TASK_FAILED = "task_failed", "Background task failed"
    REVIEW_OVERDUE = "review_overdue", "A review of yours is overdue"
    DEADLINE_REMINDER = "deadline_reminder", "Reminder of a deadline for an unsubmitted proposal"
    WEBHOOK_DISABLED = "webhook_disabled", "A webhook of your organisation disabled after repeated failures"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "E-mail me at once"
    DIGEST = "digest", "Include in my daily digest"
    OFF = "off", "Only show it on the site"


class JobState(models.TextChoices):
    """Where a background job is (leoportal.domain.jobs)."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Done, file deleted"


class TokenScope(models.TextChoices):
    """What an API token may do."""

    READ = "read", "Read"
    WRITE = "write", "Read and write"
