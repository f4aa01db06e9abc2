"""Read helpers for pages: each returns what a page shows in a fixed number of queries."""

from dataclasses import dataclass
from functools import cache as once
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from leoportal.domain.page_cache import markup_key
from leoportal.models import FailedTask
from projects.domain.reviews import review_average_subquery
from projects.domain.rounds import submitted_review_of_assignment
from projects.enums import Access, Fit, ProposalStatus
from projects.models import (
    EDITABLE_STATUSES,
    Call,
    CoInvestigator,
    DecisionEmail,
    Introduction,
    IntroductionRequest,
    Invitation,
    Match,
    Proposal,
    Review,
    ReviewAssignment,
    StatusChange,
)

TYPICAL_DAYS_KEY = "projects:typical-days-in-status"


def open_call_count(now=None) -> int:
    """Calls accepting proposals now (opening <= now < closing), for the home page."""
    return Call.objects.open(now).count()


def typical_days_in_status(limit=50) -> dict[str, list[float]]:
    """How many days the last ``limit`` proposals to leave submitted, screening and under review spent there
    (for the stage bar's "usually takes about"). A query per status, cached for an hour: it changes slowly and
    every proposal page shows it."""
    cached = cache.get(TYPICAL_DAYS_KEY)
    if cached is not None:
        return cached
    arrived = (
        StatusChange.objects.filter(
            proposal=OuterRef("proposal"), to_status=OuterRef("from_status"), changed_at__lte=OuterRef("changed_at")
        )
        .order_by("-changed_at", "-id")
        .values("changed_at")[:1]
    )
    days: dict[str, list[float]] = {}
    for status in (ProposalStatus.SUBMITTED, ProposalStatus.SCREENING, ProposalStatus.UNDER_REVIEW):
        # Moves staff made (a withdrawal is the team's, and says nothing about how long staff take).
        departures = (
            StatusChange.objects.filter(from_status=status)
            .exclude(to_status=ProposalStatus.WITHDRAWN)
            .annotate(arrived_at=Subquery(arrived))
            .filter(arrived_at__isnull=False)
            .order_by("-changed_at", "-id")
            .values_list("arrived_at", "changed_at")[:limit]
        )
        days[status] = [(left_at - arrived_at).total_seconds() / 86400 for arrived_at, left_at in departures]
    cache.set(TYPICAL_DAYS_KEY, days, 3600)
    return days


def calls_state() -> tuple:
    """Changes whenever a call is added, edited or deleted (one aggregate query): with the time, what the calls list
    and a call's page show."""
    row = Call.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    return row["count"], row["changed"]


def calls_for_listing(now=None) -> tuple[list[Call], list[Call]]:
    """The open calls (closing soonest first) and the upcoming ones (opening soonest first)."""
    now = now or timezone.now()
    calls = list(Call.objects.not_closed(now).order_by("closes_at", "code"))
    open_calls = [call for call in calls if call.opens_at <= now]
    upcoming = sorted((call for call in calls if call.opens_at > now), key=lambda call: (call.opens_at, call.code))
    return open_calls, upcoming


# What My proposals shows of each proposal and its call (templates/projects/dashboard.html).
DASHBOARD_COLUMNS = (
    *("public_id", "title", "status", "updated_at", "owner_id", "call"),
    *("call__public_id", "call__code", "call__opens_at", "call__closes_at"),
)


def dashboard_proposals(user) -> list[Proposal]:
    """The proposals ``user`` works on: drafts first, then those waiting for revisions, then by last change.

    Each carries ``my_role`` ("Principal investigator" or the co-investigator's access) and ``can_edit``, and only
    the columns the list shows (DASHBOARD_COLUMNS): a proposal's texts are most of its row.
    """
    my_access = CoInvestigator.objects.filter(proposal=OuterRef("pk"), user=user).values("access")[:1]
    proposals = (
        Proposal.objects.team_of(user)
        .select_related("call")
        .only(*DASHBOARD_COLUMNS)
        .annotate(
            my_access=Subquery(my_access),
            priority=Case(
                When(status=ProposalStatus.DRAFT, then=Value(0)),
                When(status=ProposalStatus.REVISIONS_REQUESTED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("priority", "-updated_at", "-id")
    )
    rows = list(proposals)
    for proposal in rows:
        is_owner = proposal.owner_id == user.pk
        proposal.my_role = "Principal investigator" if is_owner else f"Co-investigator ({proposal.my_access})"
        proposal.can_edit = proposal.status in EDITABLE_STATUSES and (is_owner or proposal.my_access == Access.EDIT)
    return rows


def dashboard_rendering_key(rows: list[Any]) -> str:
    """A key for the rendered rows of My proposals (the proposals ``dashboard_proposals`` returns, each with the
    ``my_role`` and ``can_edit`` it adds): every value a row shows (the proposal's title, status and last change, the
    viewer's role and whether they may edit it, its call's code and deadline and whether it has closed)."""
    return markup_key(
        "my-proposals/1",
        *(
            (
                proposal.public_id,
                proposal.title,
                proposal.status,
                proposal.updated_at.isoformat(),
                proposal.my_role,
                proposal.can_edit,
                proposal.call
                and (
                    proposal.call.public_id,
                    proposal.call.code,
                    proposal.call.closes_at.isoformat(),
                    proposal.call.is_closed,
                ),
            )
            for proposal in rows
        ),
    )


def proposal_form_prefetches() -> tuple[Prefetch | str, ...]:
    """What the proposal form shows besides the proposal: the team with their invitations, the files and the status
    history."""
    return (
        Prefetch(
            "co_investigators",
            queryset=CoInvestigator.objects.select_related("user").prefetch_related(
                Prefetch("invitations", queryset=Invitation.objects.order_by("-created_at"))
            ),
        ),
        "attachments",
        Prefetch(
            "status_changes", queryset=StatusChange.objects.select_related("changed_by").order_by("changed_at", "id")
        ),
    )


def proposal_page_prefetches() -> tuple[Prefetch | str, ...]:
    """What the proposal page shows besides the proposal: the form's, and the introductions with the people
    involved."""
    return (*proposal_form_prefetches(), Prefetch("introductions", queryset=_introductions_with_people()))


def visible_proposals(user):
    """Proposals ``user`` may see, with the call and the principal investigator every page of a proposal names."""
    return Proposal.objects.visible_to(user).select_related("call", "owner")


def proposal_form_queryset(user):
    """Proposals ``user`` may see, with what the proposal form shows loaded up front."""
    return visible_proposals(user).prefetch_related(*proposal_form_prefetches())


def proposal_page_queryset(user):
    """Proposals ``user`` may see, with what the proposal page shows loaded up front."""
    return visible_proposals(user).prefetch_related(*proposal_page_prefetches())


# --- Introductions ------------------------------------------------------------------------------------------------


def _introductions_with_people():
    return Introduction.objects.select_related("organisation", "answered_by", "introduced_by").order_by(
        "-created_at", "-id"
    )


def proposal_introductions(proposal) -> list[Introduction]:
    """A proposal's introductions, newest first, with the provider and the people involved (one query).

    The staff panel (templates/projects/admin/_introductions.html) and the introduce page show these."""
    return list(_introductions_with_people().filter(proposal=proposal))


def introduction_page_queryset(user):
    """Introductions ``user`` may open (staff all, providers their organisations'), with what the page shows."""
    return Introduction.objects.visible_to(user).select_related("proposal__owner", "organisation", "answered_by")


# What a provider's table of introductions shows (templates/projects/_provider_introductions.html): a proposal's
# texts and a user's account details are most of their rows, and the table shows none of them.
PROVIDER_INTRODUCTION_COLUMNS = (
    "public_id",
    "answer",
    "answered_at",
    "created_at",
    "proposal__title",
    "organisation__name",
    "answered_by__full_name",
    "answered_by__email",
)


def provider_introductions(user):
    """The introductions to ``user``'s organisations: those awaiting an answer first, then the newest."""
    return (
        Introduction.objects.for_provider(user)
        .select_related("proposal", "organisation", "answered_by")
        .only(*PROVIDER_INTRODUCTION_COLUMNS)
        .annotate(answered=Case(When(answer="", then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("answered", "-created_at", "-id")
    )


def provider_introduction_summary(user, limit: int) -> tuple[list[Introduction], dict[str, int]]:
    """The first ``limit`` introductions of provider_introductions, and how many there are (all, awaiting)."""
    counts = Introduction.objects.for_provider(user).aggregate(
        total=Count("pk"), awaiting=Count("pk", filter=Q(answer=""))
    )
    introductions = list(provider_introductions(user)[:limit]) if counts["total"] else []
    return introductions, counts


# --- The review desk (admin proposal list, CSV export) ----------------------------------------------------------


def _count_subquery(queryset):
    counted = queryset.order_by().values("proposal").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def desk_figures() -> dict:
    """``_desk_figures``, built once per process: building them costs more than resolving them in a query (the
    desk's list asks twice a page), and a query resolves copies, never the expressions themselves."""
    return dict(_desk_figures())


@once
def _desk_figures() -> dict:
    """What the desk lists for each proposal, as expressions: best match, matches that fit, review average and count.

    Each is one correlated subquery on an index ((proposal, rank) and the partial index of rows that fit for
    matches, proposal for reviews):

    - ``best_match``: {name, provider, score, fit} of the rank-1 match, or None when there is none;
    - ``best_score``: its score (for sorting);
    - ``fits_total``: how many stored matches fit;
    - ``review_avg``: the mean over scored reviews of each review's four-criteria mean (None without reviews);
    - ``review_total``: how many reviews scored it (declared conflicts not counted);
    - ``assigned_total``: how many panel reviewers are assigned to it; ``assigned_in``: how many of them submitted.
    """
    best = Match.objects.filter(proposal=OuterRef("pk")).order_by("rank")
    return {
        "best_match": Subquery(
            best.values(
                json=JSONObject(
                    name=F("capability__name"),
                    provider=F("capability__organisation__name"),
                    score=F("score"),
                    fit=F("fit"),
                )
            )[:1],
            output_field=JSONField(),
        ),
        "best_score": Subquery(best.values("score")[:1], output_field=FloatField()),
        "fits_total": _count_subquery(Match.objects.filter(proposal=OuterRef("pk"), fit=Fit.FITS)),
        "review_avg": review_average_subquery(),
        "review_total": _count_subquery(Review.objects.scored().filter(proposal=OuterRef("pk"))),
        "assigned_total": _count_subquery(ReviewAssignment.objects.filter(proposal=OuterRef("pk"))),
        "assigned_in": _count_subquery(
            ReviewAssignment.objects.filter(proposal=OuterRef("pk")).filter(Exists(submitted_review_of_assignment()))
        ),
    }


def awaiting_reviews():
    """For an Exists() over proposals: an assignment whose reviewer has not submitted yet."""
    return ReviewAssignment.objects.filter(proposal=OuterRef("pk")).exclude(Exists(submitted_review_of_assignment()))


def with_desk_figures(queryset):
    """``queryset`` with the desk's figures (``desk_figures``) selected."""
    return queryset.annotate(**desk_figures())


def attach_desk_figures(proposals) -> list:
    """Set the desk's figures on already loaded ``proposals`` (one query for all), and return them as a list.

    A list page loads and sorts its rows without the figures (``alias``), then computes them for its page alone:
    the database never evaluates them for rows it skips (a deep page, the rows before the offset).
    """
    proposals = list(proposals)
    expressions = desk_figures()
    rows = Proposal.objects.filter(pk__in=[p.pk for p in proposals]).order_by().annotate(**expressions)
    figures = {row["pk"]: row for row in rows.values("pk", *expressions)}
    names = list(expressions)
    for proposal in proposals:
        for name in names:
            setattr(proposal, name, figures.get(proposal.pk, {}).get(name))
    return proposals


# --- The review desk's front door -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskPile:
    """One pile of work on the admin's home page: how many, the oldest few, and where the whole list is."""

    key: str
    title: str
    count: int
    items: list  # (label, address, detail), oldest first
    url: str
    empty: str  # what an empty pile means


def _ago(moment, now) -> str:
    return f"{timesince(moment, now, depth=1)} ago" if moment else ""


def _admin(name: str, pk: int) -> str:
    return reverse(f"admin:{name}_change", args=[pk])


def _first_and_count(queryset, limit: int) -> tuple[int, list]:
    """The first ``limit`` rows of ``queryset`` and how many it holds in all, in one query (a window count, which
    the database works out before the limit)."""
    rows = list(queryset.annotate(pile_total=Window(Count("pk")))[:limit])
    return (rows[0].pile_total if rows else 0), rows


def desk_piles(user, limit: int = 4, now=None) -> list[DeskPile]:
    """What waits for ``user`` at the desk: proposals to screen, reviews due, researchers' requests, introductions
    unanswered, decision e-mails to send, failed background tasks (six queries, whatever the numbers)."""
    now = now or timezone.now()
    proposals = reverse("admin:projects_proposal_changelist")
    change = "projects_proposal"

    to_screen = Proposal.objects.filter(status=ProposalStatus.SUBMITTED).order_by(
        F("last_submitted_at").asc(nulls_last=True), "id"
    )
    due = (
        Proposal.objects.filter(status=ProposalStatus.UNDER_REVIEW)
        .exclude(
            Exists(
                Review.objects.filter(proposal=OuterRef("pk"), reviewer=user).exclude(
                    submitted_at=None, conflict_of_interest=False
                )
            )
        )
        .order_by("updated_at", "id")
    )
    unanswered = (
        Introduction.objects.filter(answer="").select_related("proposal", "organisation").order_by("created_at", "id")
    )
    failed = FailedTask.objects.filter(resolved_at__isnull=True).order_by("-failed_at", "-id")
    to_send = DecisionEmail.objects.unsent().select_related("proposal").order_by("created_at", "id")
    asked = (
        IntroductionRequest.objects.waiting().select_related("proposal", "organisation").order_by("created_at", "id")
    )
    screen_count, screen = _first_and_count(to_screen.only("title", "last_submitted_at"), limit)
    due_count, due_rows = _first_and_count(due.only("title", "updated_at"), limit)
    send_count, send_rows = _first_and_count(to_send, limit)
    asked_count, asked_rows = _first_and_count(asked, limit)
    unanswered_count, unanswered_rows = _first_and_count(unanswered, limit)
    failed_count, failed_rows = _first_and_count(failed.only("task_name", "failed_at"), limit)
    return [
        DeskPile(
            "screen",
            "Proposals to screen",
            screen_count,
            [(p.display_title, _admin(change, p.pk), f"submitted {_ago(p.last_submitted_at, now)}") for p in screen],
            f"{proposals}?status__exact={ProposalStatus.SUBMITTED}",
            "Every submitted proposal has been screened.",
        ),
        DeskPile(
            "reviews",
            "Reviews due from you",
            due_count,
            [(p.display_title, _admin(change, p.pk), f"last changed {_ago(p.updated_at, now)}") for p in due_rows],
            f"{proposals}?reviews=not_mine&status__exact={ProposalStatus.UNDER_REVIEW}",
            "You have reviewed every proposal under review.",
        ),
        DeskPile(
            "outbox",
            "Decision e-mails to send",
            send_count,
            [
                (
                    f"{e.proposal.display_title}: {e.get_decision_display().lower()}",
                    reverse("projects:decision_email", args=[e.public_id]),
                    f"drafted {_ago(e.created_at, now)}",
                )
                for e in send_rows
            ],
            reverse("projects:decision_outbox"),
            "Every decision's e-mail has been sent.",
        ),
        DeskPile(
            "requests",
            "Researchers asking for an introduction",
            asked_count,
            [
                (
                    f"{r.proposal.display_title} → {r.organisation.name}",
                    _admin("projects_introductionrequest", r.pk),
                    f"asked {_ago(r.created_at, now)}",
                )
                for r in asked_rows
            ],
            f"{reverse('admin:projects_introductionrequest_changelist')}?state__exact=waiting",
            "No researcher is waiting for an answer about an introduction.",
        ),
        DeskPile(
            "introductions",
            "Introductions unanswered",
            unanswered_count,
            [
                (
                    f"{i.proposal.display_title} → {i.organisation.name}",
                    _admin("projects_introduction", i.pk),
                    f"introduced {_ago(i.created_at, now)}",
                )
                for i in unanswered_rows
            ],
            f"{reverse('admin:projects_introduction_changelist')}?answered=awaiting",
            "Providers have answered every introduction.",
        ),
        DeskPile(
            "failures",
            "Failed background tasks",
            failed_count,
            [
                (f.task_name, _admin("leoportal_failedtask", f.pk), f"failed {_ago(f.failed_at, now)}")
                for f in failed_rows
            ],
            f"{reverse('admin:leoportal_failedtask_changelist')}?resolved_at__isempty=1",
            "No background task has failed for good.",
        ),
    ]
