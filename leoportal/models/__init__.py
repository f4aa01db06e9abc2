"""Accounts: a user keyed by e-mail address, with the role chosen at sign-up; notifications; background jobs."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from leoportal.enums import Delivery, JobState, NotificationKind, Role, TokenScope
from leoportal.text import single_line, validate_single_line


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def program_staff(self):
        """The active members of program staff: who is told of submissions, new matches and failures."""
        return self.filter(is_staff=True, is_active=True)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    organisation = models.CharField(
        max_length=200,
        blank=True,
        help_text="The institution or company you work for.",
        validators=[validate_single_line],
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RESEARCHER)
    is_staff = models.BooleanField(
        "program staff",
        default=False,
        help_text="Program staff review proposals and reach the admin site.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    digest_sent_on = models.DateField(
        null=True, blank=True, editable=False, help_text="The day this user's last daily digest went out."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return single_line(self.full_name) or self.email

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_researcher(self):
        return self.role == Role.RESEARCHER and not self.is_staff

    @property
    def is_reviewer(self):
        return self.role == Role.REVIEWER and not self.is_staff

    @property
    def is_provider(self):
        return self.role == Role.PROVIDER and not self.is_staff


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the periodic heartbeat task: staff see whether background work runs."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """Something a user should know. Recorded first, e-mailed second, so a retry never sends twice."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField(help_text="Plain text, shown on the site and in the e-mail.")
    url = models.CharField(max_length=500, blank=True, help_text="Where the notification leads, as a site path.")
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    dedupe_key = models.CharField(max_length=200)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_failed_at = models.DateTimeField(
        null=True, blank=True, help_text="When sending the e-mail failed for good (see Failed tasks)."
    )
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_dedupe"),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(delivery__in=Delivery.values), name="notification_delivery_valid"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient}: {self.subject}"


class NotificationPreference(models.Model):
    """How one user wants one kind of notification delivered; no row means at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique"),
            models.CheckConstraint(
                condition=models.Q(delivery__in=Delivery.values), name="notification_preference_delivery_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} -> {self.get_delivery_display()}"


class FailedTask(models.Model):
    """A background task that failed for good (after its retries): kept for staff to see, retry or resolve."""

    task_id = models.CharField(max_length=255, unique=True)
    task_name = models.CharField(max_length=255, db_index=True)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    exception = models.TextField()
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.task_name} failed at {self.failed_at:%Y-%m-%d %H:%M}"


def job_result_path(instance, filename) -> str:
    """A random name under jobs/: the name the owner downloads it as is kept in the row only."""
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"jobs/{uuid.uuid4().hex}.{suffix[:10]}"


class BackgroundJob(models.Model):
    """Work a person started and waits for (a large export, a capability import, reviewer suggestions): its
    progress and its outcome (a summary, the problems to fix, or a result file).

    The one job model for all long work: run by leoportal.domain.jobs.run_job in a Celery worker; the owner follows
    it on its page and downloads any result there. Files live under MEDIA_ROOT (never served publicly) and are deleted
    after ``JOB_RESULT_RETENTION_HOURS``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="background_jobs")
    kind = models.CharField(max_length=100, help_text="Which registered job kind runs it (leoportal.jobs).")
    label = models.CharField(max_length=200, help_text="What the owner sees, e.g. “CSV export of 4,210 proposals”.")
    params = models.JSONField(default=dict, blank=True, help_text="What the job works on (ids, options).")
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True, help_text="Blank until the job knows.")
    result_file = models.FileField(upload_to=job_result_path, max_length=200, blank=True)
    result_name = models.CharField(max_length=200, blank=True, help_text="The file name the owner downloads.")
    result_content_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True, help_text="What went wrong, in words for the owner.")
    summary = models.CharField(max_length=200, blank=True, help_text="What the job did, once it is done.")
    problems = models.JSONField(
        default=list,
        blank=True,
        help_text='What the owner must fix, in groups: [{"label": ..., "problems": [[field, path, message]]}].',
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Workers that took it (a lost one is retried).")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "background job"
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=JobState.values), name="job_state_valid"),
            models.CheckConstraint(
                condition=models.Q(progress_total__isnull=True)
                | models.Q(progress_done__lte=models.F("progress_total")),
                name="job_progress_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=[JobState.QUEUED, JobState.RUNNING], finished_at__isnull=True)
                | models.Q(state__in=[JobState.DONE, JobState.FAILED, JobState.EXPIRED], finished_at__isnull=False),
                name="job_finished_when_over",
            ),
        ]
        indexes = [models.Index(fields=["state", "finished_at"], name="job_state_finished")]

    def __str__(self):
        return f"{self.label} ({self.get_state_display().lower()})"

    def get_absolute_url(self):
        return reverse("job_detail", args=[self.public_id])

    @property
    def is_over(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED, JobState.EXPIRED)

    @property
    def percent(self) -> int | None:
        if self.state in (JobState.DONE, JobState.EXPIRED):
            return 100
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def has_download(self) -> bool:
        return self.state == JobState.DONE and bool(self.result_file)


class ApiToken(models.Model):
    """A key to the API: personal, or for one organisation. Only a hash of the secret is kept; the secret is shown
    once, when the token is made (leoportal.domain.api_tokens)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, validators=[validate_single_line], help_text="What it is for.")
    user = models.ForeignKey("leoportal.User", on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text="Empty for a personal token.",
    )
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    prefix = models.CharField(max_length=12, editable=False, help_text="The secret's first characters, to tell it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(scope__in=TokenScope.values), name="api_token_scope_valid"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_personal(self) -> bool:
        return self.organisation_id is None
