"""Staff reviews (with their history); indexes for the review desk: eligible matches, the latest submissions first,
and a GIN index for the full-text search on PostgreSQL only.

The GIN index expression must stay identical to ``projects.models.proposal_search_vector`` (the planner uses the
index only when the query's expression matches it); tests/projects/test_desk_search.py checks that it does.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models
from django.db.models.functions import Upper

INDEX_NAME = "proposal_search"


def search_index():
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", "objectives", weight="B", config="english")
        + SearchVector("why_microgravity", "earth_benefit", weight="C", config="english")
    )
    return GinIndex(vector, name=INDEX_NAME)


def desk_order_index():
    # NULLS LAST in an index is PostgreSQL's (SQLite has it in ORDER BY only).
    return models.Index(
        models.F("last_submitted_at").desc(nulls_last=True), models.F("id").desc(), name="proposal_desk_order"
    )


def trigram_indexes():
    return [
        GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=f"proposal_{field}_trgm")
        for field in ("title", "organisation")
    ]


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in [desk_order_index(), search_index(), *trigram_indexes()]:
            schema_editor.add_index(apps.get_model("projects", "Proposal"), index)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in [desk_order_index(), search_index(), *trigram_indexes()]:
            schema_editor.remove_index(apps.get_model("projects", "Proposal"), index)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_capability_search_index"),
        ("projects", "0004_rescore_requests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalReview",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("public_id", models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                (
                    "conflict_of_interest",
                    models.BooleanField(
                        default=False,
                        help_text="The reviewer declared a conflict of interest and does not score this proposal.",
                        verbose_name="conflict of interest declared",
                    ),
                ),
                (
                    "scientific_merit",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "1 · Poor"),
                            (2, "2 · Fair"),
                            (3, "3 · Good"),
                            (4, "4 · Very good"),
                            (5, "5 · Excellent"),
                        ],
                        help_text="Scientific and technical merit of the question and method.",
                        null=True,
                        verbose_name="scientific merit",
                    ),
                ),
                (
                    "need_for_microgravity",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "1 · Poor"),
                            (2, "2 · Fair"),
                            (3, "3 · Good"),
                            (4, "4 · Very good"),
                            (5, "5 · Excellent"),
                        ],
                        help_text="Why space: does the question need microgravity, and is that argued well?",
                        null=True,
                        verbose_name="need for microgravity",
                    ),
                ),
                (
                    "feasibility",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "1 · Poor"),
                            (2, "2 · Fair"),
                            (3, "3 · Good"),
                            (4, "4 · Very good"),
                            (5, "5 · Excellent"),
                        ],
                        help_text="Can the team fly it as planned: hardware, timeline, readiness (TRL).",
                        null=True,
                        verbose_name="feasibility",
                    ),
                ),
                (
                    "value",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "1 · Poor"),
                            (2, "2 · Fair"),
                            (3, "3 · Good"),
                            (4, "4 · Very good"),
                            (5, "5 · Excellent"),
                        ],
                        help_text="Benefit on Earth and value to the emerging low Earth orbit economy.",
                        null=True,
                        verbose_name="Earth and commercial value",
                    ),
                ),
                (
                    "operations",
                    models.CharField(
                        blank=True,
                        choices=[("pass", "Pass"), ("fail", "Fail")],
                        help_text="Flight feasibility as the operations screen sees it.",
                        max_length=4,
                        verbose_name="operations screen",
                    ),
                ),
                ("comment", models.TextField(blank=True, max_length=10000)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical review",
                "verbose_name_plural": "historical reviews",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Review",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "conflict_of_interest",
                    models.BooleanField(
                        default=False,
                        help_text="The reviewer declared a conflict of interest and does not score this proposal.",
                        verbose_name="conflict of interest declared",
                    ),
                ),
                (
                    "scientific_merit",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "1 · Poor"),
                            (2, "2 · Fair"),
                            (3, "3 · Good"),
                            (4, "4 · Very good"),
                            (5, "5 · Excellent"),
                        ],
                        help_text="Scientific and technical merit of the question and method.",
                        null=True,
                        verbose_name="scientific merit",
                    ),
                ),
                (
                    "need_for_microgravity",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "1 · Poor"),
                            (2, "2 · Fair"),
                            (3, "3 · Good"),
                            (4, "4 · Very good"),
                            (5, "5 · Excellent"),
                        ],
                        help_text="Why space: does the question need microgravity, and is that argued well?",
                        null=True,
                        verbose_name="need for microgravity",
                    ),
                ),
                (
                    "feasibility",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "1 · Poor"),
                            (2, "2 · Fair"),
                            (3, "3 · Good"),
                            (4, "4 · Very good"),
                            (5, "5 · Excellent"),
                        ],
                        help_text="Can the team fly it as planned: hardware, timeline, readiness (TRL).",
                        null=True,
                        verbose_name="feasibility",
                    ),
                ),
                (
                    "value",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "1 · Poor"),
                            (2, "2 · Fair"),
                            (3, "3 · Good"),
                            (4, "4 · Very good"),
                            (5, "5 · Excellent"),
                        ],
                        help_text="Benefit on Earth and value to the emerging low Earth orbit economy.",
                        null=True,
                        verbose_name="Earth and commercial value",
                    ),
                ),
                (
                    "operations",
                    models.CharField(
                        blank=True,
                        choices=[("pass", "Pass"), ("fail", "Fail")],
                        help_text="Flight feasibility as the operations screen sees it.",
                        max_length=4,
                        verbose_name="operations screen",
                    ),
                ),
                ("comment", models.TextField(blank=True, max_length=10000)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="match",
            index=models.Index(
                condition=models.Q(("eligibility", "eligible")), fields=["proposal"], name="match_eligible"
            ),
        ),
        migrations.AddField(
            model_name="historicalreview",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalreview",
            name="proposal",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="projects.proposal",
            ),
        ),
        migrations.AddField(
            model_name="historicalreview",
            name="reviewer",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="proposal",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="reviews", to="projects.proposal"
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="reviewer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="reviews", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                fields=("proposal", "reviewer"),
                name="review_one_per_reviewer",
                violation_error_message="This reviewer has already reviewed this proposal.",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("scientific_merit__isnull", True),
                    models.Q(("scientific_merit__gte", 1), ("scientific_merit__lte", 5)),
                    _connector="OR",
                ),
                name="review_scientific_merit_1_to_5",
                violation_error_message="Scientific merit is scored from 1 to 5.",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("need_for_microgravity__isnull", True),
                    models.Q(("need_for_microgravity__gte", 1), ("need_for_microgravity__lte", 5)),
                    _connector="OR",
                ),
                name="review_need_for_microgravity_1_to_5",
                violation_error_message="Need for microgravity is scored from 1 to 5.",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("feasibility__isnull", True),
                    models.Q(("feasibility__gte", 1), ("feasibility__lte", 5)),
                    _connector="OR",
                ),
                name="review_feasibility_1_to_5",
                violation_error_message="Feasibility is scored from 1 to 5.",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("value__isnull", True), models.Q(("value__gte", 1), ("value__lte", 5)), _connector="OR"
                ),
                name="review_value_1_to_5",
                violation_error_message="Earth and commercial value is scored from 1 to 5.",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(("operations__in", ["", "pass", "fail"])), name="review_operations_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("conflict_of_interest", True),
                        ("feasibility__isnull", True),
                        ("need_for_microgravity__isnull", True),
                        ("operations", ""),
                        ("scientific_merit__isnull", True),
                        ("value__isnull", True),
                    ),
                    models.Q(
                        ("conflict_of_interest", False),
                        ("feasibility__isnull", False),
                        ("need_for_microgravity__isnull", False),
                        ("operations__in", ["pass", "fail"]),
                        ("scientific_merit__isnull", False),
                        ("value__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="review_scores_unless_conflict",
                violation_error_message="A review scores every criterion and the operations screen; a declared conflict of interest scores nothing.",
            ),
        ),
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
