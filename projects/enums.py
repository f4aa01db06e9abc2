from django.db import models


class SampleType(models.TextChoices):
    LIVE_CELLS = "live_cells", "Live cells"
    ORGANOIDS = "organoids", "Organoids"
    TISSUE_CONSTRUCTS = "tissue_constructs", "Tissue constructs"
    BIOINK = "bioink", "Bioink"
    ORGAN_CHIPS = "organ_chips", "Organ chips"
    PROTEIN_SOLUTION = "protein_solution", "Protein solution"
    SMALL_MOLECULE = "small_molecule", "Small molecule"
    MICROORGANISMS = "microorganisms", "Microorganisms"
    PLANTS = "plants", "Plants"
    ANIMALS = "animals", "Animals"
    NON_LIVING_MATERIAL = "non_living_material", "Non-living material"
    OTHER = "other", "Other"


class CallState(models.TextChoices):
    """Where a call is relative to now (computed from its dates, not stored)."""

    UPCOMING = "upcoming", "Opens soon"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ProposalStatus(models.TextChoices):
    """Where a proposal is in review. The allowed moves between them are in projects/domain/transitions.py."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SCREENING = "screening", "Screening"
    UNDER_REVIEW = "under_review", "Under review"
    REVISIONS_REQUESTED = "revisions_requested", "Revisions requested"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A proposal in one of these is closed: whatever an introduction shared with a provider (the team's contacts, the
# files) is no longer shared.
CLOSED_STATUSES = frozenset({ProposalStatus.WITHDRAWN, ProposalStatus.DECLINED})


class CoInvestigatorRole(models.TextChoices):
    """The U.S.-person attestation covers the PI and co-PIs; others may take part as subcontractors."""

    CO_PI = "co_pi", "Co-principal investigator"
    CO_INVESTIGATOR = "co_investigator", "Co-investigator"
    COLLABORATOR = "collaborator", "Collaborator"
    SUBCONTRACTOR = "subcontractor", "Subcontractor"


class Access(models.TextChoices):
    """What a co-investigator who accepted an invitation may do with the proposal."""

    VIEW = "view", "View"
    EDIT = "edit", "View and edit"


class AttachmentKind(models.TextChoices):
    NARRATIVE = "narrative", "Full narrative"
    LETTER = "letter", "Letter of support"


class TechnologyReadinessLevel(models.IntegerChoices):
    """NASA's technology readiness levels, as researchers see them in the form."""

    TRL1 = 1, "1 · Basic principles observed"
    TRL2 = 2, "2 · Concept formulated"
    TRL3 = 3, "3 · Proof of concept"
    TRL4 = 4, "4 · Validated in the laboratory"
    TRL5 = 5, "5 · Validated in a relevant environment"
    TRL6 = 6, "6 · Demonstrated in a relevant environment"
    TRL7 = 7, "7 · Demonstrated in the operational environment"
    TRL8 = 8, "8 · Complete and qualified"
    TRL9 = 9, "9 · Proven in operation"


class Fit(models.TextChoices):
    """How a listing fits a proposal (the matching engine's verdict, projects.matching.Fit)."""

    FITS = "fits", "Fits"
    TO_CONFIRM = "to_confirm", "To confirm"
    DOES_NOT_FIT = "does_not_fit", "Does not fit"


class RequestState(models.TextChoices):
    """A researcher's request for an introduction, as program staff handle it."""

    WAITING = "waiting", "Waiting for program staff"
    INTRODUCED = "introduced", "Introduced"
    DECLINED = "declined", "Declined"


class IntroductionAnswer(models.TextChoices):
    """A provider's answer to an introduction (blank while it waits for one)."""

    INTERESTED = "interested", "Interested"
    NOT_INTERESTED = "not_interested", "Not interested"


class ReviewScore(models.IntegerChoices):
    """The 1-5 scale every review criterion uses."""

    POOR = 1, "1 · Poor"
    FAIR = 2, "2 · Fair"
    GOOD = 3, "3 · Good"
    VERY_GOOD = 4, "4 · Very good"
    EXCELLENT = 5, "5 · Excellent"


class OperationsScreen(models.TextChoices):
    """The operations (flight feasibility) screen: can the experiment be flown as described?"""

    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"


class PrecedentOrigin(models.TextChoices):
    """Where a flight precedent comes from: a curated file of real flights, or a flight recorded on this portal."""

    CURATED = "curated", "Curated"
    PORTAL = "portal", "Portal"


class FlightStatus(models.TextChoices):
    """How far a precedent's flight got: it flew, or it is manifested (assigned to a flight that has not flown)."""

    FLOWN = "flown", "Flown"
    MANIFESTED = "manifested", "Manifested"


class AssignmentSource(models.TextChoices):
    """How a reviewer came to be assigned a proposal."""

    STAFF = "staff", "Assigned by staff"
    SUGGESTED = "suggested", "Suggested, accepted by staff"
