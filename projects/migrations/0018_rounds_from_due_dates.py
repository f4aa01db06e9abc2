"""Each call's single review due date becomes a review round named "Review", holding the call's assignments.

The round closes at the old due date and opens when the call closed (submissions are in; reviews follow); when the
due date is not after the call's close, it opens when the call was created, and when it is not after that either
(entered by mistake), a day before the due date: a round always closes after it opens. Backwards, a call's due date
is the close of its last round.
"""

from datetime import timedelta

from django.db import migrations

ROUND_NAME = "Review"


def round_opening(call):
    due = call.reviews_due_at
    for moment in (call.closes_at, call.created_at):
        if moment is not None and moment < due:
            return moment
    return due - timedelta(days=1)


def rounds_from_due_dates(apps, schema_editor):
    Call = apps.get_model("projects", "Call")
    ReviewRound = apps.get_model("projects", "ReviewRound")
    ReviewAssignment = apps.get_model("projects", "ReviewAssignment")
    for call in Call.objects.filter(reviews_due_at__isnull=False).order_by("pk"):
        review_round, _created = ReviewRound.objects.get_or_create(
            call=call, name=ROUND_NAME, defaults={"opens_at": round_opening(call), "closes_at": call.reviews_due_at}
        )
        ReviewAssignment.objects.filter(proposal__call=call, round__isnull=True).update(round=review_round)


def due_dates_from_rounds(apps, schema_editor):
    Call = apps.get_model("projects", "Call")
    ReviewRound = apps.get_model("projects", "ReviewRound")
    for call in Call.objects.filter(review_rounds__isnull=False).distinct().order_by("pk"):
        last = ReviewRound.objects.filter(call=call).order_by("-closes_at").first()
        Call.objects.filter(pk=call.pk).update(reviews_due_at=last.closes_at)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0017_review_rounds"),
    ]

    operations = [
        migrations.RunPython(rounds_from_due_dates, due_dates_from_rounds),
    ]
