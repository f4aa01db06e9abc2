"""Staff export proposals as CSV for spreadsheets: one row per proposal, with its matching and review figures.

Every text cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) is
prefixed with a single quote, so a title such as ``=HYPERLINK(...)`` typed by a researcher stays text when staff
open the file (CSV or "formula" injection). Files are UTF-8 with a byte order mark, which spreadsheet programs
need to read accents correctly.

Small selections are written straight into the response; large ones run as a background job (``projects/jobs.py``)
with progress, written chunk by chunk.
"""

import csv
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from projects.domain.queries import with_desk_figures
from projects.models import Proposal


class DeskFigures(TypedDict):
    """The figures ``with_desk_figures`` adds to a proposal that a row reads (see ``queries.desk_figures``)."""

    best_match: dict[str, Any] | None
    fits_total: int
    review_total: int
    review_avg: float | None


if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import WithAnnotations

    DeskProposal = WithAnnotations[Proposal, DeskFigures]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 500
CONTENT_TYPE = "text/csv; charset=utf-8"
ENCODING = "utf-8-sig"

COLUMNS = (
    "public id",
    "external id",
    "title",
    "principal investigator",
    "PI e-mail",
    "organisation",
    "call",
    "status",
    "created",
    "first submitted",
    "last submitted",
    "status changed",
    "research areas",
    "hardware needed",
    "amount requested (USD)",
    "matching funds (USD)",
    "best match",
    "best match provider",
    "best match score",
    "best match fit",
    "matches that fit",
    "reviews",
    "review average",
    "admin page",
)


def safe_cell(value) -> str:
    """``value`` as spreadsheet-safe text: never read as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _amount(value: Decimal | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def row_of(proposal: "DeskProposal") -> list[str]:
    """One CSV row (``proposal`` annotated by ``with_desk_figures``, owner and call loaded)."""
    best = proposal.best_match or {}
    score = best.get("score")
    values = [
        proposal.public_id,
        proposal.external_id,
        proposal.title,
        proposal.owner.display_name,
        proposal.owner.email,
        proposal.organisation,
        proposal.call.code if proposal.call else "Unsolicited",
        proposal.get_status_display(),
        _moment(proposal.created_at),
        _moment(proposal.submitted_at),
        _moment(proposal.last_submitted_at),
        _moment(proposal.status_changed_at),
        "; ".join(proposal.get_research_areas_display()),
        "; ".join(proposal.get_needs_display()),
        _amount(proposal.amount_requested),
        _amount(proposal.matching_funds),
        best.get("name", ""),
        best.get("provider", ""),
        f"{score:.1f}" if score is not None else "",
        best.get("fit", ""),
        proposal.fits_total,
        proposal.review_total,
        f"{proposal.review_avg:.2f}" if proposal.review_avg is not None else "",
        settings.SITE_URL + reverse("admin:projects_proposal_change", args=[proposal.pk]),
    ]
    return [safe_cell(value) for value in values]


def _chunks(ids: list[int]) -> Iterable[list["DeskProposal"]]:
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        loaded = with_desk_figures(Proposal.objects.filter(pk__in=chunk).select_related("owner", "call"))
        by_pk = {proposal.pk: proposal for proposal in loaded}
        yield [by_pk[pk] for pk in chunk if pk in by_pk]


def write_csv(proposal_ids: list[int], output, progress: Callable[[int, int], None] | None = None) -> int:
    """Write the proposals ``proposal_ids`` (in that order) as CSV to the text stream ``output``; returns rows.

    ``progress(done, total)`` is called after each chunk of rows.
    """
    writer = csv.writer(output)
    writer.writerow(COLUMNS)
    total, done = len(proposal_ids), 0
    for chunk in _chunks(list(proposal_ids)):
        writer.writerows(row_of(proposal) for proposal in chunk)
        done += len(chunk)
        if progress:
            progress(done, total)
    return done


def filename(now=None) -> str:
    return f"proposals-{timezone.localtime(now or timezone.now()):%Y%m%d-%H%M}.csv"
