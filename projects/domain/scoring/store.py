"""Storing results: a proposal's matches replaced in one transaction (COPY on PostgreSQL) and staff told of new strong
matches once."""

import hashlib
import json

from django.conf import settings
from django.db import connection

from leoportal.domain.notifications import notify, wording
from leoportal.enums import NotificationKind
from leoportal.models import User
from projects.enums import Fit
from projects.matching import (
    ProposalRanking,
)
from projects.models import Introduction, Match, Proposal

MATCH_COLUMNS = (
    "proposal_id",
    "capability_id",
    "rank",
    "score",
    "fit",
    "needs_stated",
    "needs_met",
    "needs_to_confirm",
    "needs_not_met",
    "needs_elsewhere",
    "precedents",
    "criteria_json",
    "near_miss",
    "algorithm_version",
    "computed_at",
)


def _store(rankings: list[ProposalRanking], capability_pks: dict[str, int], started, version: str) -> int:
    """Replace the stored matches of the ranked proposals (inside the caller's transaction); returns rows written."""
    proposal_ids = [r.proposal.ref for r in rankings]
    criteria_json: dict = {}  # one JSON text per distinct check: the engine shares them across pairs
    rows = []
    for ranking in rankings:
        for match in ranking.kept():
            text = "[" + ",".join(_check_json(check, criteria_json) for check in match.criteria) + "]"
            rows.append(
                (
                    ranking.proposal.ref,
                    capability_pks[match.capability_id],
                    match.rank,
                    float(match.score),
                    str(match.fit),
                    *match.certainty,
                    len(match.precedents),
                    text,
                    match.change or "",
                    version,
                    started,
                )
            )
    previous_strong = _delete_matches(proposal_ids)
    _insert(rows)
    Proposal.objects.filter(pk__in=proposal_ids).update(matched_at=started, match_version=version)
    new_strong = _strong_pairs_from_rows(rows) - previous_strong
    if new_strong:
        _notify_strong_matches(new_strong)
    return len(rows)


def _delete_matches(proposal_ids) -> set[tuple[int, int]]:
    """Delete the stored matches of ``proposal_ids``; returns the strong pairs among them (to tell staff only of new
    ones).

    On PostgreSQL one statement deletes and returns them (introductions that point at a deleted match keep their copy
    of it and lose the link, as the model's SET_NULL says): the ORM would read every row first to emulate that.
    """
    if connection.vendor != "postgresql":
        previous = _strong_pairs(Match.objects.filter(proposal_id__in=proposal_ids))
        Match.objects.filter(proposal_id__in=proposal_ids).delete()
        return previous
    match, introduction = Match._meta.db_table, Introduction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {introduction} SET match_id = NULL WHERE match_id IN "  # noqa: S608 -- table names from models
            f"(SELECT id FROM {match} WHERE proposal_id = ANY(%s))",
            [list(proposal_ids)],
        )
        cursor.execute(
            f"WITH gone AS (DELETE FROM {match} WHERE proposal_id = ANY(%s) "  # noqa: S608 -- as above
            "RETURNING proposal_id, capability_id, score, fit) "
            "SELECT proposal_id, capability_id FROM gone WHERE score >= %s AND fit <> %s",
            [list(proposal_ids), settings.MATCH_STRONG_SCORE, Fit.DOES_NOT_FIT],
        )
        return set(cursor.fetchall())


def _check_json(check, cache: dict) -> str:
    text = cache.get(check)
    if text is None:
        text = cache[check] = json.dumps([check.name, check.outcome, check.detail], ensure_ascii=False)
    return text


def _insert(rows) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = ", ".join(MATCH_COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {Match._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    Match.objects.bulk_create(
        [Match(**dict(zip(MATCH_COLUMNS, row, strict=True))) for row in rows],
        batch_size=500,
    )


def _strong_pairs(queryset) -> set[tuple[int, int]]:
    return set(
        queryset.filter(score__gte=settings.MATCH_STRONG_SCORE)
        .exclude(fit=Fit.DOES_NOT_FIT)
        .values_list("proposal_id", "capability_id")
    )


NEAR_MISS_COLUMN = MATCH_COLUMNS.index("near_miss")


def _strong_pairs_from_rows(rows) -> set[tuple[int, int]]:
    return {
        (row[0], row[1])
        for row in rows
        if row[3] >= settings.MATCH_STRONG_SCORE and row[4] != Fit.DOES_NOT_FIT and not row[NEAR_MISS_COLUMN]
    }


def _notify_strong_matches(pairs: set[tuple[int, int]]) -> None:
    """One notification per proposal listing its new strong matches (not one per match: a submission can bring
    dozens). The dedupe key names the matches, so a redelivered task tells nobody twice and a later strong match
    (a new listing) is news again."""
    staff = list(User.objects.program_staff())
    if not staff:
        return
    matches = (
        Match.objects.filter(proposal_id__in={p for p, _ in pairs}, capability_id__in={c for _, c in pairs})
        .select_related("proposal", "capability__organisation")
        .order_by("proposal_id", "rank")
    )
    by_proposal: dict[int, list[Match]] = {}
    for match in matches:
        if (match.proposal_id, match.capability_id) in pairs:
            by_proposal.setdefault(match.proposal_id, []).append(match)
    for strong in by_proposal.values():
        proposal = strong[0].proposal
        subject, body = wording(
            NotificationKind.STRONG_MATCH, {"proposal": proposal, "best": strong[0], "strong": strong}
        )
        key = hashlib.sha256(",".join(sorted(str(m.capability.public_id) for m in strong)).encode()).hexdigest()
        notify(
            staff,
            NotificationKind.STRONG_MATCH,
            subject=subject,
            body=body,
            dedupe_key=f"strong-match:{proposal.public_id}:{key[:32]}",
            url=f"/admin/projects/proposal/{proposal.pk}/change/",
            target=proposal,
        )
