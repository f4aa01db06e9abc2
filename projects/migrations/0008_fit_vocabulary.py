"""The matcher's verdict in words that mean what they say: fits, to confirm, does not fit (was eligible,
unconfirmed, ineligible), the certainty of each match beside its score, and the similar flights it cites; and a
proposal may say it is not sure yet which kinds of hardware it needs.

Stored values are mapped one to one; the open proposals' results are then asked to be rescored (the sweep runs
within minutes), so every stored match soon carries the new algorithm's fit, certainty and precedents.
"""

from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

OLD_TO_NEW = {"eligible": "fits", "unconfirmed": "to_confirm", "ineligible": "does_not_fit"}
OPEN_STATUSES = ("submitted", "screening", "under_review", "revisions_requested")
FIT_CHOICES = [("fits", "Fits"), ("to_confirm", "To confirm"), ("does_not_fit", "Does not fit")]


def rename_values(apps, schema_editor):
    for model_name in ("Match", "Introduction", "HistoricalIntroduction"):
        model = apps.get_model("projects", model_name)
        for old, new in OLD_TO_NEW.items():
            model.objects.filter(fit=old).update(fit=new)
    apps.get_model("projects", "Proposal").objects.filter(status__in=OPEN_STATUSES, matched_at__isnull=False).update(
        match_requested_at=timezone.now()
    )


def restore_values(apps, schema_editor):
    for model_name in ("Match", "Introduction", "HistoricalIntroduction"):
        model = apps.get_model("projects", model_name)
        for old, new in OLD_TO_NEW.items():
            model.objects.filter(fit=new).update(fit=old)


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_single_line_titles_and_names")]

    operations = [
        migrations.RemoveIndex(model_name="match", name="match_eligible"),
        migrations.RemoveConstraint(model_name="match", name="match_eligibility_valid"),
        migrations.RemoveConstraint(model_name="match", name="match_near_miss_ineligible"),
        migrations.RemoveConstraint(model_name="introduction", name="introduction_eligibility_valid"),
        migrations.RenameField(model_name="match", old_name="eligibility", new_name="fit"),
        migrations.RenameField(model_name="introduction", old_name="eligibility", new_name="fit"),
        migrations.RenameField(model_name="historicalintroduction", old_name="eligibility", new_name="fit"),
        migrations.RenameField(model_name="listingdemand", old_name="eligible", new_name="fits"),
        migrations.RenameField(model_name="listingdemand", old_name="unconfirmed", new_name="to_confirm"),
        migrations.RunPython(rename_values, restore_values),
        migrations.AlterField(
            model_name="match", name="fit", field=models.CharField(choices=FIT_CHOICES, max_length=12)
        ),
        migrations.AlterField(
            model_name="introduction",
            name="fit",
            field=models.CharField(blank=True, choices=FIT_CHOICES, max_length=12),
        ),
        migrations.AlterField(
            model_name="historicalintroduction",
            name="fit",
            field=models.CharField(blank=True, choices=FIT_CHOICES, max_length=12),
        ),
        migrations.AlterField(
            model_name="match",
            name="near_miss",
            field=models.TextField(blank=True, help_text="For a near miss: what would make the pair fit."),
        ),
        *[
            migrations.AddField(model_name="match", name=name, field=models.PositiveSmallIntegerField(default=0))
            for name in ("needs_stated", "needs_met", "needs_to_confirm", "needs_not_met", "needs_elsewhere")
        ],
        migrations.AddField(
            model_name="match",
            name="precedents",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="Similar experiments that flew on the listing."
            ),
        ),
        *[
            migrations.AddField(
                model_name=model_name,
                name="summary",
                field=models.CharField(
                    blank=True, help_text="The match's summary line when introduced.", max_length=300
                ),
            )
            for model_name in ("introduction", "historicalintroduction")
        ],
        migrations.AddField(
            model_name="proposal",
            name="hardware_unsure",
            field=models.BooleanField(
                default=False,
                help_text="Tick this if you cannot yet say which kinds of hardware you need: program staff will help. "
                "Matching is weak until you state them.",
                verbose_name="not sure yet, ask staff",
            ),
        ),
        migrations.AddField(
            model_name="historicalproposal",
            name="hardware_unsure",
            field=models.BooleanField(
                default=False,
                help_text="Tick this if you cannot yet say which kinds of hardware you need: program staff will help. "
                "Matching is weak until you state them.",
                verbose_name="not sure yet, ask staff",
            ),
        ),
        migrations.AddIndex(
            model_name="match", index=models.Index(condition=Q(fit="fits"), fields=["proposal"], name="match_fits")
        ),
        migrations.AddConstraint(
            model_name="match",
            constraint=models.CheckConstraint(
                condition=Q(fit__in=["fits", "to_confirm", "does_not_fit"]), name="match_fit_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="match",
            constraint=models.CheckConstraint(
                condition=Q(near_miss="") | Q(fit="does_not_fit"), name="match_near_miss_does_not_fit"
            ),
        ),
        migrations.AddConstraint(
            model_name="match",
            constraint=models.CheckConstraint(
                condition=~Q(fit="fits") | Q(needs_not_met=0, needs_to_confirm=0, needs_elsewhere=0),
                name="match_fits_meets_every_need",
            ),
        ),
        migrations.AddConstraint(
            model_name="introduction",
            constraint=models.CheckConstraint(
                condition=Q(fit__in=["fits", "to_confirm", "does_not_fit"]) | Q(fit=""), name="introduction_fit_valid"
            ),
        ),
    ]
