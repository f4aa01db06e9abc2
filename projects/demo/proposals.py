"""Demo calls and proposals for seed_demo. Idempotent: a second run finds everything in place and changes nothing.

Calls are keyed by code, proposals by their interchange id (projects/data/demo_proposals.json, the illustrative
proposals of the interchange examples). Call dates are relative to the day of seeding; a later run moves them only
when a call is no longer in the state the demo needs (an "open" call that has since closed).
"""

import textwrap
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from leoportal.interchange import PROPOSALS, parse_document
from projects.domain import scoring
from projects.domain.importing import fields_from_item
from projects.enums import Access, AttachmentKind, CallState, CoInvestigatorRole, ProposalStatus
from projects.models import MATCHER_FIELDS, Attachment, Call, CoInvestigator, ListingDemand, Proposal, StatusChange

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "demo_proposals.json"

CALLS = [
    {
        "code": "NLRA 2027-1",
        "state": CallState.OPEN,
        "opens_days": -20,
        "closes_days": 60,
        "title": "Biomanufacturing in microgravity: cells, tissues and organoids",
        "description": (
            "This announcement seeks flight projects that use microgravity to make or study living products: "
            "stem-cell expansion, organoids, engineered tissues and bioprinted constructs.\n\n"
            "A short concept summary comes first; selected teams are invited to submit a full proposal. Transport "
            "to and from orbit is covered and does not count against the funding cap."
        ),
        "research_areas": ["stem_cells", "organoids", "tissue_engineering", "biofabrication", "regenerative_medicine"],
        "concept_step": True,
        "funding_cap": Decimal("500000"),
    },
    {
        "code": "NLRA 2027-2",
        "state": CallState.OPEN,
        "opens_days": -5,
        "closes_days": 30,
        "title": "In-space crystallization, biologics and tissue chips",
        "description": (
            "Projects that grow protein or small-molecule crystals, produce biologics, or run tissue chips on "
            "orbit, with a clear path to a product or a better model of disease on Earth."
        ),
        "research_areas": [
            "protein_crystallization",
            "small_molecule_crystallization",
            "biologics_production",
            "tissue_chips",
            "drug_development",
        ],
        "concept_step": False,
        "funding_cap": Decimal("300000"),
    },
    {
        "code": "NLRA 2026-3",
        "state": CallState.CLOSED,
        "opens_days": -200,
        "closes_days": -30,
        "title": "Cell biology under partial gravity",
        "description": "Studies that separate the effects of gravity from other spaceflight factors on cells.",
        "research_areas": ["cell_biology", "disease_modelling"],
        "concept_step": False,
        "funding_cap": Decimal("400000"),
    },
]

# Who owns each demo proposal, which call it answers, the status it shows and how it got there.
SUBMITTED = [ProposalStatus.SUBMITTED]
PROPOSALS_PLAN = {
    "demo-cartilage-print": ("researcher@example.org", "NLRA 2027-1", []),
    "demo-liver-organoids": ("researcher@example.org", "NLRA 2027-1", SUBMITTED),
    "demo-partial-g-bone": (
        "researcher@example.org",
        "NLRA 2026-3",
        [*SUBMITTED, ProposalStatus.SCREENING, ProposalStatus.UNDER_REVIEW],
    ),
    "demo-msc-expansion": (
        "researcher@example.org",
        None,
        [*SUBMITTED, ProposalStatus.SCREENING, ProposalStatus.REVISIONS_REQUESTED],
    ),
    "demo-mab-crystals": ("researcher2@example.org", "NLRA 2027-2", [*SUBMITTED, ProposalStatus.SCREENING]),
    "demo-autonomous-api": (
        "researcher2@example.org",
        "NLRA 2026-3",
        [*SUBMITTED, ProposalStatus.SCREENING, ProposalStatus.UNDER_REVIEW, ProposalStatus.ACCEPTED],
    ),
    "demo-gut-microbiome-chip": ("researcher2@example.org", "NLRA 2027-2", []),
    "demo-muscle-atrophy-imaging": ("researcher2@example.org", None, [*SUBMITTED, ProposalStatus.WITHDRAWN]),
}
NOTES = {
    ProposalStatus.REVISIONS_REQUESTED: "Please state the launch window and confirm the crew time you can accept.",
    ProposalStatus.ACCEPTED: "Selected for flight; staff will introduce you to implementation partners.",
    ProposalStatus.WITHDRAWN: "Withdrawn: the team is moving the study to a ground analogue first.",
}
# What a complete proposal adds to the interchange fields (the same for every demo proposal that was submitted).
COMPLETE = {
    "objectives": "1. Fly the experiment with matched ground controls.\n2. Compare yield, structure and function.\n"
    "3. Publish the data set and share protocols with the community.",
    "uei": "M7RQK2LX9B4N",
    "attest_us_persons": True,
    "attest_export_control": True,
    "earth_benefit": "Better-made tissues and materials for patients, and a manufacturing process that can move "
    "to commercial stations.",
    "trl_current": 4,
    "trl_target": 6,
    "amount_requested": Decimal("250000"),
    "matching_funds": Decimal("60000"),
    "matching_funds_sources": "Institutional cost share and a foundation grant.",
}
# Teams: Ben has joined Ada's organoid proposal (view rights); a collaborator is listed but not invited yet.
TEAMS = {
    "demo-liver-organoids": [
        {
            "name": "Ben Lindqvist",
            "email": "researcher2@example.org",
            "organisation": "Gulf Coast University",
            "role": CoInvestigatorRole.CO_PI,
            "joined": Access.VIEW,
        },
        {
            "name": "Priya Raman",
            "email": "priya.raman@example.edu",
            "organisation": "Midwest Regenerative Medicine Institute",
            "role": CoInvestigatorRole.COLLABORATOR,
        },
    ],
}
WHY_MICROGRAVITY = (
    "Without sedimentation and convection, cells and crystals grow in three dimensions without scaffolds or "
    "container walls shaping them; this cannot be reproduced in ground bioreactors."
)


def seed(log, users) -> None:
    calls = {plan["code"]: _seed_call(log, plan) for plan in CALLS}
    staff = users.get("staff@example.org")
    document = parse_document(DATA_FILE.read_text(), PROPOSALS)
    for item in document["proposals"]:
        owner_email, call_code, path = PROPOSALS_PLAN[item["id"]]
        _seed_proposal(log, item, users[owner_email], calls.get(call_code), path, staff, users)


def _seed_call(log, plan) -> Call:
    now = timezone.now()
    fields = {key: plan[key] for key in ("title", "description", "research_areas", "concept_step", "funding_cap")}
    dates = {
        "opens_at": now + timedelta(days=plan["opens_days"]),
        "closes_at": now + timedelta(days=plan["closes_days"]),
    }
    call = Call.objects.filter(code=plan["code"]).first()
    if call is None:
        call = Call.objects.create(code=plan["code"], **fields, **dates)
        log("call", call.code, "created")
        return call
    changed = {key: value for key, value in fields.items() if getattr(call, key) != value}
    if call.state(now) != plan["state"]:
        changed.update(dates)
    for key, value in changed.items():
        setattr(call, key, value)
    if changed:
        call.save()
    log("call", call.code, "updated" if changed else "unchanged")
    return call


def _seed_proposal(log, item, owner, call, path, staff, users) -> None:
    values = fields_from_item(item)
    if path and not values["why_microgravity"]:
        values["why_microgravity"] = WHY_MICROGRAVITY  # submitted proposals are complete
    proposal = Proposal.objects.filter(external_id=item["id"]).first()
    if proposal is not None:
        changed = [name for name in MATCHER_FIELDS if _normal(getattr(proposal, name)) != _normal(values[name])]
        for name in changed:
            setattr(proposal, name, values[name])
        if changed:
            proposal.updated_at = timezone.now()
            proposal.save(update_fields=[*changed, "updated_at"])
        log("proposal", item["id"], "updated" if changed else "unchanged")
        return

    now = timezone.now()
    status = path[-1] if path else ProposalStatus.DRAFT
    extra = dict(COMPLETE) if path else {}
    started = now - timedelta(days=10 + 3 * len(path))
    proposal = Proposal.objects.create(
        owner=owner,
        call=call,
        status=status,
        external_id=item["id"],
        organisation=owner.organisation,
        created_at=started,
        updated_at=now,
        status_changed_at=now,
        submission_count=1 if path else 0,
        submitted_at=started + timedelta(days=1) if path else None,
        last_submitted_at=started + timedelta(days=1) if path else None,
        **{**values, **extra},
    )
    moments = [started + timedelta(days=1 + 3 * step) for step in range(len(path))]
    StatusChange.objects.create(
        proposal=proposal,
        from_status="",
        to_status=ProposalStatus.DRAFT,
        changed_by=owner,
        changed_at=started,
        note="Draft started.",
    )
    previous = ProposalStatus.DRAFT
    for moment, to_status in zip(moments, path, strict=True):
        researcher_move = to_status in (ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN)
        StatusChange.objects.create(
            proposal=proposal,
            from_status=previous,
            to_status=to_status,
            changed_by=owner if researcher_move else staff,
            changed_at=moment,
            note=NOTES.get(to_status, ""),
        )
        previous = to_status
    for position, member in enumerate(TEAMS.get(item["id"], [])):
        joined = member.get("joined")
        CoInvestigator.objects.create(
            proposal=proposal,
            position=position,
            user=users.get(member["email"]) if joined else None,
            access=joined or "",
            **{key: member[key] for key in ("name", "email", "organisation", "role")},
        )
    if path:
        attachment = Attachment(
            proposal=proposal,
            kind=AttachmentKind.NARRATIVE,
            original_name=f"{item['id']}-narrative.pdf",
            page_count=1,
            uploaded_by=owner,
            uploaded_at=moments[0],
        )
        content = text_pdf([proposal.title, "", *textwrap.wrap(proposal.summary, 85)])
        attachment.size_bytes = len(content)
        attachment.file.save("narrative.pdf", ContentFile(content), save=True)
    log("proposal", item["id"], "created")


def _normal(value):
    return sorted(value) if isinstance(value, list) else value


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` in Helvetica (the demo narratives)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({escape(line)}) '" for line in lines)
    content = f"BT /F1 11 Tf 72 740 Td 15 TL {shown} ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    output = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(output)


def seed_matches(log) -> None:
    """Score the demo's open proposals that have no current results (so a second run changes nothing)."""
    stale = scoring.stale_proposal_ids()
    if stale:
        figures = scoring.rescore(stale)
        log("matches", f"{figures.proposals} proposals, {figures.rows} rows", "created")
    else:
        log("matches", "all open proposals", "unchanged")
    if stale or not ListingDemand.objects.exists():
        scoring.refresh_listing_demand()
