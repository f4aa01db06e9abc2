"""The demo's review panel: reviewer@example.org, an external expert on the panels of the calls with proposals
under review, assigned two of them and with a declared conflict of interest on a third; each of those calls without a
round gets one open now, its reviews due three weeks after it was first seeded. Idempotent and quiet."""

from datetime import timedelta

from django.utils import timezone

from projects.domain import panels
from projects.models import PanelMember, Proposal, Review, ReviewAssignment, ReviewerProfile, ReviewRound

DEMO_REVIEWER = "reviewer@example.org"
EXPERTISE = {
    "research_areas": ["stem_cells", "tissue_engineering", "protein_crystallization", "cell_biology"],
    "keywords": "mechanobiology, bone, osteoblasts, biologics, crystallography",
    "bio": "Professor of bioengineering; studies how cells sense gravity and load, and crystallises therapeutic "
    "proteins. Reviewed for NIH and the ISS National Lab before.",
}
PANELS = ("NLRA 2027-1", "NLRA 2027-2", "NLRA 2026-3")
ROUND = "Full proposal review"
ASSIGNED = ("demo-partial-g-bone", "demo-mab-crystals")
CONFLICT = ("demo-liver-organoids", "I collaborated with the principal investigator's lab on organoid culture.")


def seed(log, users) -> None:
    reviewer, staff = users.get(DEMO_REVIEWER), users.get("staff@example.org")
    if reviewer is None or staff is None:
        return
    _profile, created = ReviewerProfile.objects.get_or_create(user=reviewer, defaults=EXPERTISE)
    log("expertise", reviewer.email, "created" if created else "unchanged")
    proposals = {p.external_id: p for p in Proposal.objects.filter(external_id__in=[*ASSIGNED, CONFLICT[0]])}
    for proposal in proposals.values():
        if proposal.call is not None and proposal.call.code in PANELS:
            if proposal.call.review_rounds.exists():  # the demo's round, or rounds staff (or a migration) made
                log("review-round", proposal.call.code, "unchanged")
            else:
                now = timezone.now()
                ReviewRound.objects.create(  # open now, reviews due three weeks on
                    call=proposal.call, name=ROUND, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=21)
                )
                log("review-round", f"{proposal.call.code}: {ROUND}", "created")
            _member, created = PanelMember.objects.get_or_create(call=proposal.call, reviewer=reviewer)
            log("panel", f"{proposal.call.code}: {reviewer.email}", "created" if created else "unchanged")
    conflicted = proposals.get(CONFLICT[0])
    if conflicted is not None:
        _review, created = Review.objects.get_or_create(
            proposal=conflicted, reviewer=reviewer, defaults={"conflict_of_interest": True, "comment": CONFLICT[1]}
        )
        log("conflict", conflicted.external_id, "created" if created else "unchanged")
    for external_id in ASSIGNED:
        proposal = proposals.get(external_id)
        if proposal is None:
            continue
        if ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).exists():
            log("assignment", external_id, "unchanged")
            continue
        panels.assign([(proposal, reviewer)], staff)
        log("assignment", external_id, "created")
