import io
from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from projects.enums import AttachmentKind, CoInvestigatorRole, Fit, OperationsScreen, ProposalStatus
from projects.models import (
    Attachment,
    Call,
    CoInvestigator,
    Introduction,
    IntroductionRequest,
    Match,
    PanelMember,
    Precedent,
    Proposal,
    Review,
    ReviewAssignment,
    ReviewerProfile,
    ReviewRound,
)
from tests.factories import ResearcherFactory, ReviewerFactory
from tests.partners.factories import CapabilityFactory


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    """A real PDF written by pypdf: blank pages, optionally encrypted."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "narrative.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type="application/pdf")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    code = factory.Sequence(lambda n: f"NLRA 2027-{n + 1}")
    title = factory.Sequence(lambda n: f"Biomanufacturing call {n + 1}")
    description = "Flight projects that use microgravity to make living products."
    research_areas = factory.LazyFunction(lambda: ["stem_cells", "organoids"])
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    funding_cap = Decimal("500000")

    class Params:
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=60)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        upcoming = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=5)),
            closes_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=50)),
        )
        # A concept summary first, due in 10 days; full proposals due in 30.
        two_stage = factory.Trait(
            concept_step=True,
            concept_closes_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=10)),
        )


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft with a title only (the way a researcher starts)."""

    class Meta:
        model = Proposal

    owner = factory.SubFactory(ResearcherFactory)
    call = factory.SubFactory(CallFactory)
    title = factory.Sequence(lambda n: f"Organoid study {n + 1}")
    status = ProposalStatus.DRAFT

    class Params:
        complete = factory.Trait(
            summary="Grow liver organoids for 14 days and return them live.",
            objectives="Measure organoid size and function against ground controls.",
            organisation="Midwest Regenerative Medicine Institute",
            uei="J7M9HPTGJ1S8",
            attest_us_persons=True,
            attest_export_control=True,
            why_microgravity="Organoids self-assemble without scaffolds in microgravity.",
            earth_benefit="Better liver toxicity models for drug development.",
            research_areas=["organoids", "stem_cells"],
            trl_current=4,
            trl_target=6,
            amount_requested=Decimal("250000"),
            sample_type="organoids",
            needs=["cell_culture_bioreactor"],
            temperature_min_c=Decimal("36.5"),
            temperature_max_c=Decimal("37.5"),
            co2=True,
            duration_days=Decimal("14"),
            crew_time="low",
            sample_return=True,
        )


class CoInvestigatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoInvestigator

    proposal = factory.SubFactory(ProposalFactory)
    name = factory.Sequence(lambda n: f"Co Investigator {n + 1}")
    email = factory.Sequence(lambda n: f"coi{n + 1}@example.edu")
    organisation = "Gulf Coast University"
    role = CoInvestigatorRole.CO_INVESTIGATOR


class NarrativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    proposal = factory.SubFactory(ProposalFactory)
    kind = AttachmentKind.NARRATIVE
    file = factory.django.FileField(filename="narrative.pdf", data=factory.LazyFunction(pdf_bytes))
    original_name = "narrative.pdf"
    size_bytes = 431
    page_count = 1


class IntroductionFactory(factory.django.DjangoModelFactory):
    """An introduction without a match, waiting for its answer (made directly: no notifications)."""

    class Meta:
        model = Introduction

    proposal = factory.SubFactory(ProposalFactory, complete=True, status=ProposalStatus.SUBMITTED, submission_count=1)
    organisation = factory.SubFactory("tests.partners.factories.OrganisationFactory")
    introduced_by = factory.SubFactory("tests.factories.StaffFactory")
    note = "Their bioreactor fits your temperature range and returns samples cold."


class IntroductionRequestFactory(factory.django.DjangoModelFactory):
    """A researcher's request for an introduction, waiting for program staff (made directly: no notifications)."""

    class Meta:
        model = IntroductionRequest

    proposal = factory.SubFactory(ProposalFactory, complete=True, status=ProposalStatus.SUBMITTED, submission_count=1)
    organisation = factory.SubFactory("tests.partners.factories.OrganisationFactory")
    facility_name = "ADSEP"
    requested_by = factory.LazyAttribute(lambda o: o.proposal.owner)
    message = "Could it hold our organoids at 37 °C for 14 days?"


class ReviewFactory(factory.django.DjangoModelFactory):
    """A scored review by a member of program staff."""

    class Meta:
        model = Review

    proposal = factory.SubFactory(ProposalFactory, complete=True, status=ProposalStatus.UNDER_REVIEW)
    reviewer = factory.SubFactory("tests.factories.StaffFactory", organisation="LEO Portal program office")
    scientific_merit = 4
    need_for_microgravity = 4
    feasibility = 3
    value = 5
    operations = OperationsScreen.PASS
    comment = "Clear aims; the return logistics need a plan."
    conflict_of_interest = False
    submitted_at = factory.LazyAttribute(lambda review: None if review.conflict_of_interest else timezone.now())


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    proposal = factory.SubFactory(ProposalFactory, complete=True, status=ProposalStatus.SUBMITTED)
    capability = factory.SubFactory("tests.partners.factories.CapabilityFactory")
    rank = factory.Sequence(lambda n: n + 1)
    score = 75.0
    fit = Fit.FITS
    criteria_json = '[["temperature_c", "pass", "Needs 36.5-37.5 °C; holds 4-40 °C."]]'
    needs_stated = 1
    needs_met = 1
    algorithm_version = "test"
    computed_at = factory.LazyFunction(timezone.now)


class PrecedentFactory(factory.django.DjangoModelFactory):
    """A curated flight precedent on one listing (``listings=[...]`` to choose them; made directly, nothing queued)."""

    class Meta:
        model = Precedent
        skip_postgeneration_save = True

    external_id = factory.Sequence(lambda n: f"flight-{n + 1}")
    title = factory.Sequence(lambda n: f"Cardiomyocyte culture flight {n + 1}")
    summary = "Human heart-muscle cells were cultured for a month in orbit and returned live for comparison."
    research_areas = factory.LazyFunction(lambda: ["cell_biology"])
    sample_type = "live_cells"
    needs = factory.LazyFunction(lambda: ["cell_culture_bioreactor", "sample_return"])
    crew_time = "low"
    duration_days = Decimal("30")
    sample_return = True
    year = 2019
    team = "Stanford University"
    sources = factory.LazyFunction(lambda: ["https://example.org/flight-report"])
    confidence = "high"

    @factory.post_generation
    def listings(obj, create, extracted, **kwargs):
        if create:
            obj.listings.set(extracted if extracted is not None else [CapabilityFactory()])


class PanelMemberFactory(factory.django.DjangoModelFactory):
    """A reviewer on a call's panel, with expertise."""

    class Meta:
        model = PanelMember
        skip_postgeneration_save = True  # the hook writes the reviewer's profile, not the membership

    call = factory.SubFactory(CallFactory)
    reviewer = factory.SubFactory(ReviewerFactory)

    @factory.post_generation
    def expertise(obj, create, extracted, **kwargs):
        if create:
            defaults = {"research_areas": ["organoids"], "keywords": "liver, organoids", "bio": ""}
            ReviewerProfile.objects.update_or_create(user=obj.reviewer, defaults={**defaults, **(extracted or {})})


class ReviewRoundFactory(factory.django.DjangoModelFactory):
    """A call's review round open now, its reviews due in three weeks."""

    class Meta:
        model = ReviewRound

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Review round {n + 1}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=21))


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    proposal = factory.SubFactory(ProposalFactory, complete=True, status=ProposalStatus.UNDER_REVIEW)
    reviewer = factory.SubFactory(ReviewerFactory)
