"""Vocabularies of the interchange format (leoportal/interchange/README.md), shared by listings and proposals."""

from django.db import models


class Category(models.TextChoices):
    CELL_CULTURE_BIOREACTOR = "cell_culture_bioreactor", "Cell culture / bioreactor"
    BIOPRINTER_3D = "3d_bioprinter", "3D bioprinter"
    PROTEIN_CRYSTALLIZATION = "protein_crystallization", "Protein crystallization"
    TISSUE_CHIP = "tissue_chip_organ_on_chip", "Tissue chip / organ-on-chip"
    VARIABLE_GRAVITY_CENTRIFUGE = "variable_gravity_centrifuge", "Variable-gravity centrifuge"
    COLD_STOWAGE_FREEZER = "cold_stowage_freezer", "Cold stowage / freezer"
    IMAGING_MICROSCOPY = "imaging_microscopy", "Imaging / microscopy"
    GLOVEBOX_CONTAINMENT = "glovebox_containment", "Glovebox / containment"
    SAMPLE_RETURN = "sample_return", "Sample return"
    FREE_FLYER = "free_flyer_recoverable_capsule", "Free-flyer / recoverable capsule"
    MODULAR_PAYLOAD_PLATFORM = "modular_payload_platform", "Modular payload platform"
    ANALYTICAL_SEQUENCING = "analytical_sequencing", "Analytics / sequencing"
    ANIMAL_HABITAT = "animal_habitat", "Animal habitat"
    CREWED_PRIVATE_MISSION = "crewed_private_mission", "Crewed private mission"
    IMPLEMENTATION_PARTNER_SERVICE = "implementation_partner_service", "Implementation partner service"


class ResearchArea(models.TextChoices):
    STEM_CELLS = "stem_cells", "Stem cells"
    ORGANOIDS = "organoids", "Organoids"
    TISSUE_ENGINEERING = "tissue_engineering", "Tissue engineering"
    BIOFABRICATION = "biofabrication", "Biofabrication"
    TISSUE_CHIPS = "tissue_chips", "Tissue chips"
    DISEASE_MODELLING = "disease_modelling", "Disease modelling"
    PROTEIN_CRYSTALLIZATION = "protein_crystallization", "Protein crystallization"
    SMALL_MOLECULE_CRYSTALLIZATION = "small_molecule_crystallization", "Small-molecule crystallization"
    BIOLOGICS_PRODUCTION = "biologics_production", "Biologics production"
    REGENERATIVE_MEDICINE = "regenerative_medicine", "Regenerative medicine"
    DRUG_DEVELOPMENT = "drug_development", "Drug development"
    CELL_BIOLOGY = "cell_biology", "Cell biology"
    MICROBIOLOGY = "microbiology", "Microbiology"
    OTHER = "other", "Other"


class CrewTime(models.TextChoices):
    """Ordered: a proposal's value is the most it accepts, a listing's the least it demands."""

    NONE = "none", "None (fully automated)"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High (hands-on)"

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


class CapabilityStatus(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    PLANNED = "planned", "Planned"
    RETIRED = "retired", "Retired"


class Confidence(models.TextChoices):
    """How sure the compiler of a catalogue entry was of its facts (kept from imported catalogues)."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class PublicationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class MembershipRole(models.TextChoices):
    ADMIN = "admin", "Administrator"
    MEMBER = "member", "Member"


class ListingAction(models.TextChoices):
    """What happened to a listing, as reported by ``partners.signals.capability_changed``."""

    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"
    CONFIRMED = "confirmed", "Confirmed"
    DELETED = "deleted", "Deleted"


class ImportOutcome(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    UNCHANGED = "unchanged", "Unchanged"
