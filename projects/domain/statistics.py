"""The figures of the staff dashboard, computed in a handful of queries.

- proposals by status: every proposal, drafts included (staff see what is coming);
- submitted proposals by call and by research area: drafts left out; a proposal with several research areas
  counts once in each;
- match coverage: of the proposals under consideration (submitted, screening, under review, revisions requested),
  how many are scored, how many have at least one match that fits, and how many at least one that fits or is to
  confirm;
- demand against supply per hardware category: proposals under consideration that need the kind of hardware,
  against published listings (of verified providers, what the public and the matcher see) that offer it;
- review progress per call: of the call's proposals under consideration, how many have no reviewer yet, and of the
  panel's assignments how many reviews are in and how many are overdue (not in after their review round closed).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from partners.enums import Category, ResearchArea
from partners.models import Capability
from projects.enums import Fit, ProposalStatus
from projects.models import OPEN_STATUSES, Match, Proposal, Review, ReviewAssignment


@dataclass(frozen=True)
class Figure:
    label: str
    value: int


@dataclass(frozen=True)
class Coverage:
    open_total: int
    scored: int
    with_fit: int
    with_fit_or_to_confirm: int

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def fits_share(self) -> float | None:
        return self.share(self.with_fit, self.open_total)

    @property
    def fits_or_to_confirm_share(self) -> float | None:
        return self.share(self.with_fit_or_to_confirm, self.open_total)


@dataclass(frozen=True)
class DemandSupply:
    label: str
    demand: int  # proposals under consideration needing it
    supply: int  # published listings offering it


@dataclass(frozen=True)
class ReviewProgress:
    call: str
    proposals: int  # under consideration
    unassigned: int  # of those, with no reviewer
    assigned: int  # assignments
    submitted: int  # assignments whose review is in
    overdue: int  # assignments past the due date without a review
    call_id: int = field(default=0, compare=False)  # for the desk's links

    @property
    def awaited(self) -> int:
        return self.assigned - self.submitted


@dataclass
class DeskFigures:
    by_status: list[Figure] = field(default_factory=list)
    by_call: list[Figure] = field(default_factory=list)
    by_research_area: list[Figure] = field(default_factory=list)
    coverage: Coverage = Coverage(0, 0, 0, 0)
    demand_supply: list[DemandSupply] = field(default_factory=list)
    review_progress: list[ReviewProgress] = field(default_factory=list)

    def charts(self) -> dict:
        """The data the dashboard's script draws (passed with json_script)."""

        def bars(figures, label):
            series = [{"label": label, "data": [f.value for f in figures]}]
            return {"labels": [f.label for f in figures], "series": series}

        return {
            "by-status": bars(self.by_status, "Proposals"),
            "by-call": bars(self.by_call, "Submitted proposals"),
            "by-research-area": bars(self.by_research_area, "Submitted proposals"),
            "coverage": {
                "labels": ["A match that fits", "Fits or to confirm"],
                "series": [
                    {
                        "label": "Share of proposals under consideration (%)",
                        "data": [self.coverage.fits_share or 0, self.coverage.fits_or_to_confirm_share or 0],
                    }
                ],
                "percent": True,
            },
            "demand-supply": {
                "labels": [row.label for row in self.demand_supply],
                "series": [
                    {"label": "Proposals needing it", "data": [row.demand for row in self.demand_supply]},
                    {"label": "Published listings offering it", "data": [row.supply for row in self.demand_supply]},
                ],
            },
        }


def _count_items(lists, choices) -> list[Figure]:
    counts = Counter(item for items in lists for item in set(items or ()))
    return [Figure(label, counts.get(value, 0)) for value, label in choices]


def review_progress(now=None) -> list[ReviewProgress]:
    """Review progress of each call with proposals under consideration (two queries)."""
    now = now or timezone.now()
    open_proposals = Proposal.objects.filter(status__in=OPEN_STATUSES, call__isnull=False).order_by()
    proposals = {
        code: (total, unassigned, call_id)
        for code, call_id, total, unassigned in open_proposals.values_list("call__code", "call_id")
        .annotate(
            total=Count("pk"),
            unassigned=Count("pk", filter=~Q(Exists(ReviewAssignment.objects.filter(proposal=OuterRef("pk"))))),
        )
        .values_list("call__code", "call_id", "total", "unassigned")
    }
    submitted = Exists(
        Review.objects.filter(proposal=OuterRef("proposal"), reviewer=OuterRef("reviewer"), submitted_at__isnull=False)
    )
    assignments = {
        code: (assigned, done, overdue)
        for code, assigned, done, overdue in ReviewAssignment.objects.filter(proposal__in=open_proposals)
        .order_by()
        .values_list("proposal__call__code")
        .annotate(
            assigned=Count("pk"),
            done=Count("pk", filter=Q(submitted)),
            overdue=Count("pk", filter=Q(~Q(submitted), round__closes_at__lt=now)),
        )
        .values_list("proposal__call__code", "assigned", "done", "overdue")
    }
    return [
        ReviewProgress(code, total, unassigned, *assignments.get(code, (0, 0, 0)), call_id=call_id)
        for code, (total, unassigned, call_id) in sorted(proposals.items())
    ]


def desk_figures() -> DeskFigures:
    statuses = dict(Proposal.objects.order_by().values_list("status").annotate(total=Count("pk")))
    submitted = Proposal.objects.exclude(status=ProposalStatus.DRAFT)
    per_call = (
        submitted.order_by().values_list("call__code").annotate(total=Count("pk")).order_by("-total", "call__code")
    )
    under_consideration = Proposal.objects.filter(status__in=OPEN_STATUSES)

    def has_match(*fits):
        return Exists(Match.objects.filter(proposal=OuterRef("pk"), fit__in=fits))

    coverage = under_consideration.aggregate(
        open_total=Count("pk"),
        scored=Count("pk", filter=Q(matched_at__isnull=False)),
        with_fit=Count("pk", filter=Q(has_match(Fit.FITS))),
        with_fit_or_to_confirm=Count("pk", filter=Q(has_match(Fit.FITS, Fit.TO_CONFIRM))),
    )
    demand = Counter(need for needs in under_consideration.values_list("needs", flat=True) for need in set(needs or ()))
    supply = Counter(
        category
        for categories in Capability.objects.public().values_list("categories", flat=True)
        for category in set(categories or ())
    )
    return DeskFigures(
        by_status=[Figure(label, statuses.get(value, 0)) for value, label in ProposalStatus.choices],
        by_call=[Figure(code or "Unsolicited", total) for code, total in per_call],
        by_research_area=_count_items(submitted.values_list("research_areas", flat=True), ResearchArea.choices),
        coverage=Coverage(**coverage),
        demand_supply=[
            DemandSupply(label, demand.get(value, 0), supply.get(value, 0)) for value, label in Category.choices
        ],
        review_progress=review_progress(),
    )
