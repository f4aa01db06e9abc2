"""The desk's full-text search uses its GIN index (the query's expression must match the index's exactly)."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import F

from projects.models import Proposal, proposal_search_vector
from tests.projects.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_text_search_uses_the_gin_index(researcher):
    if connection.vendor != "postgresql":
        pytest.fail("Full-text search needs PostgreSQL: run the suite with `make test`.")
    ProposalFactory(owner=researcher, summary="Lysozyme crystals grow larger in microgravity.")
    matches = (
        Proposal.objects.alias(document=proposal_search_vector())
        .filter(document=SearchQuery("crystal", search_type="websearch", config="english"))
        .values_list("pk", flat=True)
    )
    sql, params = matches.query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "proposal_search" in plan
    assert list(matches) == list(Proposal.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("field", "index"), [("title", "proposal_title_trgm"), ("organisation", "proposal_organisation_trgm")]
)
def test_fragments_of_titles_and_organisations_use_the_trigram_indexes(researcher, field, index):
    ProposalFactory(owner=researcher, title="Liver organoids", organisation="Midwest Institute")
    fragment = {"title": "organo", "organisation": "dwest"}[field]
    matches = Proposal.objects.filter(**{f"{field}__icontains": fragment}).values_list("pk", flat=True)
    sql, params = matches.query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert index in plan
    assert list(matches) == list(Proposal.objects.values_list("pk", flat=True))


def test_the_desk_order_uses_its_index(researcher):
    ProposalFactory.create_batch(3, owner=researcher)
    page = Proposal.objects.order_by(F("last_submitted_at").desc(nulls_last=True), "-id").values_list("pk")[:100]
    sql, params = page.query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "proposal_desk_order" in plan
