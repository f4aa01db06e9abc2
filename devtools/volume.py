"""Synthetic volume in the database, for measuring: N submitted proposals and M published listings.

The facts come from the engine's generator (devtools.matching.bench: fixed seed, real vocabularies, about 40% of
facts unstated) and enter the database through the importers' own field mappings, in bulk. Everything made here
belongs to marked accounts and organisations (``VOLUME_DOMAIN``, ``VOLUME_PREFIX``), so ``remove_volume`` takes it
away again without touching anything else.
"""

import random
from dataclasses import asdict

from django.db import connection, transaction
from django.utils import timezone

from devtools.matching.bench import generate_capabilities, generate_proposals
from leoportal.enums import Role
from leoportal.models import User
from partners.domain.importing import entry_values
from partners.enums import PublicationState
from partners.models import AvailabilityWindow, Capability, Organisation
from projects.domain.importing import fields_from_item
from projects.enums import OperationsScreen, ProposalStatus
from projects.models import CRITERIA_FIELDS, Proposal, Review, StatusChange

VOLUME_DOMAIN = "volume.leoportal.example"
VOLUME_PREFIX = "Volume "
RESEARCHERS = 200
REVIEWERS = 12
REVIEWED_SHARE = 0.4  # of the proposals get one to three staff reviews
STATUS_MIX = (
    (ProposalStatus.SUBMITTED, 5),
    (ProposalStatus.SCREENING, 2),
    (ProposalStatus.UNDER_REVIEW, 2),
    (ProposalStatus.REVISIONS_REQUESTED, 1),
)


def _range(value, low="min", high="max"):
    return None if value is None else {low: value[0], high: value[1]}


def capability_item(facts) -> dict:
    item = asdict(facts)
    item.pop("ref")
    item["temperature_c"] = _range(facts.temperature_c)
    item["variable_gravity_g"] = _range(facts.variable_gravity_g)
    item["cold_stowage_c"] = None if facts.cold_stowage_c is None else list(facts.cold_stowage_c)
    item["availability"] = (
        None
        if facts.availability is None
        else [{"start": s.isoformat(), "end": e.isoformat()} for s, e in facts.availability]
    )
    return item


def proposal_item(facts) -> dict:
    item = asdict(facts)
    item.pop("ref")
    item["temperature_c"] = _range(facts.temperature_c)
    window = facts.launch_window
    item["launch_window"] = (
        None if window is None else {"earliest": window[0].isoformat(), "latest": window[1].isoformat()}
    )
    return item


def create_volume(proposals: int, capabilities: int, seed: int = 7, log=print) -> tuple[list[int], list[int]]:
    """Create the synthetic rows; returns (proposal ids, capability ids)."""
    now = timezone.now()
    with transaction.atomic():
        listing_facts = generate_capabilities(capabilities, seed)
        names = sorted({f.provider for f in listing_facts})
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{VOLUME_PREFIX}{name}",
                    slug=f"volume-{name.lower().replace(' ', '-')}",
                    verified=True,
                    verified_at=now,
                    contact_email=f"contact@{VOLUME_DOMAIN}",
                )
                for name in names
            ]
        )
        organisation_of = {o.name.removeprefix(VOLUME_PREFIX): o for o in organisations}
        rows, windows_of = [], []
        for facts in listing_facts:
            values, windows = entry_values(capability_item(facts))
            rows.append(
                Capability(
                    organisation=organisation_of[facts.provider],
                    publication=PublicationState.PUBLISHED,
                    published_at=now,
                    availability_stated=windows is not None,
                    **values,
                )
            )
            windows_of.append(windows or [])
        listings = Capability.objects.bulk_create(rows, batch_size=1000)
        AvailabilityWindow.objects.bulk_create(
            [
                AvailabilityWindow(capability=listing, start=start, end=end)
                for listing, windows in zip(listings, windows_of, strict=True)
                for start, end in windows
            ],
            batch_size=2000,
        )
        log(f"created {len(listings)} listings of {len(organisations)} organisations")

        researchers = User.objects.bulk_create(
            [
                User(
                    email=f"researcher{i:04d}@{VOLUME_DOMAIN}",
                    full_name=f"Volume Researcher {i}",
                    organisation=f"Volume University {i % 40}",
                    role=Role.RESEARCHER,
                    password="!",  # noqa: S106 - an unusable password: these accounts cannot sign in
                )
                for i in range(min(RESEARCHERS, max(1, proposals)))
            ]
        )
        statuses = [status for status, weight in STATUS_MIX for _ in range(weight)]
        proposal_rows = []
        for index, facts in enumerate(generate_proposals(proposals, seed + 1)):
            status = statuses[index % len(statuses)]
            owner = researchers[index % len(researchers)]
            proposal_rows.append(
                Proposal(
                    owner=owner,
                    organisation=owner.organisation,
                    status=status,
                    external_id=f"volume-{seed}-{index:06d}",
                    submitted_at=now,
                    last_submitted_at=now,
                    submission_count=1,
                    created_at=now,
                    updated_at=now,
                    status_changed_at=now,
                    match_requested_at=now,
                    **fields_from_item(proposal_item(facts)),
                )
            )
        created = Proposal.objects.bulk_create(proposal_rows, batch_size=2000)
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    proposal=p, from_status="", to_status=p.status, changed_by=None, changed_at=now, note="Volume."
                )
                for p in created
            ],
            batch_size=2000,
        )
        log(f"created {len(created)} proposals of {len(researchers)} researchers")
        reviews = _create_reviews(created, seed, now)
        log(f"created {reviews} reviews")
    return [p.pk for p in created], [c.pk for c in listings]


def _create_reviews(proposals, seed: int, now) -> int:
    """Reviews by synthetic staff accounts (inactive: they receive nothing and cannot sign in)."""
    reviewers = User.objects.bulk_create(
        [
            User(
                email=f"reviewer{i:02d}@{VOLUME_DOMAIN}",
                full_name=f"Volume Reviewer {i}",
                organisation="Volume program office",
                is_staff=True,
                is_active=False,
                password="!",  # noqa: S106 - an unusable password
            )
            for i in range(REVIEWERS)
        ]
    )
    generator = random.Random(seed)
    rows = []
    for proposal in proposals:
        if generator.random() >= REVIEWED_SHARE:
            continue
        rows.extend(
            Review(
                proposal=proposal,
                reviewer=reviewer,
                **{name: generator.randint(1, 5) for name in CRITERIA_FIELDS},
                operations=OperationsScreen.PASS if generator.random() < 0.8 else OperationsScreen.FAIL,
                comment="Volume.",
                created_at=now,
                updated_at=now,
                submitted_at=now,
            )
            for reviewer in generator.sample(reviewers, generator.randint(1, 3))
        )
    Review.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def analyze() -> None:
    """Fresh planner statistics after a bulk load (autovacuum would get there later, or never where it is off)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def volume_size() -> tuple[int, int]:
    """(proposals, listings) of the synthetic volume in the database."""
    return (
        Proposal.objects.filter(external_id__startswith="volume-").count(),
        Capability.objects.filter(organisation__name__startswith=VOLUME_PREFIX).count(),
    )


def remove_volume(log=print) -> None:
    with transaction.atomic():
        proposals = Proposal.objects.filter(owner__email__endswith=f"@{VOLUME_DOMAIN}")
        count = proposals.count()
        proposals.delete()
        User.objects.filter(email__endswith=f"@{VOLUME_DOMAIN}").delete()
        listings = Capability.objects.filter(organisation__name__startswith=VOLUME_PREFIX)
        listing_count = listings.count()
        listings.delete()
        Organisation.objects.filter(name__startswith=VOLUME_PREFIX).delete()
    log(f"removed {count} proposals and {listing_count} listings")
