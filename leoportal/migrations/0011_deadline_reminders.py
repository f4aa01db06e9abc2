# Notification kinds: deadline reminders join the reviewers' overdue reviews and introduction requests.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("leoportal", "0010_api_tokens"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="notification",
            name="notification_kind_valid",
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submission", "New submission or resubmission"),
                    ("strong_match", "Strong match found"),
                    ("status_change", "Proposal status changed"),
                    ("introduction", "Introduction to a proposal"),
                    ("introduction_answer", "Answer to an introduction"),
                    ("introduction_request", "Request for an introduction"),
                    ("organisation_to_verify", "New provider organisation to verify"),
                    ("task_failed", "Background task failed"),
                    ("review_overdue", "A review of yours is overdue"),
                    ("deadline_reminder", "Reminder of a deadline for an unsubmitted proposal"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="notificationpreference",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submission", "New submission or resubmission"),
                    ("strong_match", "Strong match found"),
                    ("status_change", "Proposal status changed"),
                    ("introduction", "Introduction to a proposal"),
                    ("introduction_answer", "Answer to an introduction"),
                    ("introduction_request", "Request for an introduction"),
                    ("organisation_to_verify", "New provider organisation to verify"),
                    ("task_failed", "Background task failed"),
                    ("review_overdue", "A review of yours is overdue"),
                    ("deadline_reminder", "Reminder of a deadline for an unsubmitted proposal"),
                ],
                max_length=40,
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "submission",
                            "strong_match",
                            "status_change",
                            "introduction",
                            "introduction_answer",
                            "introduction_request",
                            "organisation_to_verify",
                            "task_failed",
                            "review_overdue",
                            "deadline_reminder",
                        ],
                    )
                ),
                name="notification_kind_valid",
            ),
        ),
    ]
