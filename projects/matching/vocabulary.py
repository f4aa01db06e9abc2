"""The interchange vocabularies, as plain tuples (the engine imports nothing from Django).

The order of each tuple is fixed: it gives the bit and column positions in the catalogue arrays. A test checks
these tuples against the TextChoices in ``partners.enums`` and ``projects.enums``.
"""

from collections.abc import Iterable

CATEGORIES = (
    "cell_culture_bioreactor",
    "3d_bioprinter",
    "protein_crystallization",
    "tissue_chip_organ_on_chip",
    "variable_gravity_centrifuge",
    "cold_stowage_freezer",
    "imaging_microscopy",
    "glovebox_containment",
    "sample_return",
    "free_flyer_recoverable_capsule",
    "modular_payload_platform",
    "analytical_sequencing",
    "animal_habitat",
    "crewed_private_mission",
    "implementation_partner_service",
)
CATEGORY_INDEX = {name: index for index, name in enumerate(CATEGORIES)}

# How a category reads inside a sentence ("needs a 3D bioprinter").
CATEGORY_LABELS = {
    "cell_culture_bioreactor": "cell culture / bioreactor",
    "3d_bioprinter": "3D bioprinter",
    "protein_crystallization": "protein crystallization",
    "tissue_chip_organ_on_chip": "tissue chip / organ-on-chip",
    "variable_gravity_centrifuge": "variable-gravity centrifuge",
    "cold_stowage_freezer": "cold stowage / freezer",
    "imaging_microscopy": "imaging / microscopy",
    "glovebox_containment": "glovebox / containment",
    "sample_return": "sample return",
    "free_flyer_recoverable_capsule": "free-flyer / recoverable capsule",
    "modular_payload_platform": "modular payload platform",
    "analytical_sequencing": "analytics / sequencing",
    "animal_habitat": "animal habitat",
    "crewed_private_mission": "crewed private mission",
    "implementation_partner_service": "implementation partner service",
}

# Listings that carry payloads their customers build (a CubeLab, an ICE Cube, a crewed mission's lockers, an
# implementation partner's integration service). Missing a category does not say they cannot offer it.
HOST_CATEGORIES = frozenset({"modular_payload_platform", "implementation_partner_service", "crewed_private_mission"})

# The kinds of hardware a host can plausibly carry as a customer payload: bench-top culture, chips, crystallization
# plates, a microscope, a sequencer. A host cannot become a bioprinter, a centrifuge, a freezer or a capsule.
HOSTABLE_CATEGORIES = frozenset(
    {
        "cell_culture_bioreactor",
        "tissue_chip_organ_on_chip",
        "protein_crystallization",
        "imaging_microscopy",
        "analytical_sequencing",
    }
)

RESEARCH_AREAS = (
    "stem_cells",
    "organoids",
    "tissue_engineering",
    "biofabrication",
    "tissue_chips",
    "disease_modelling",
    "protein_crystallization",
    "small_molecule_crystallization",
    "biologics_production",
    "regenerative_medicine",
    "drug_development",
    "cell_biology",
    "microbiology",
    "other",
)
RESEARCH_AREA_INDEX = {name: index for index, name in enumerate(RESEARCH_AREAS)}
RESEARCH_AREA_LABELS = {name: name.replace("_", " ") for name in RESEARCH_AREAS}
RESEARCH_AREA_LABELS["disease_modelling"] = "disease modelling"

SAMPLE_TYPES = (
    "live_cells",
    "organoids",
    "tissue_constructs",
    "bioink",
    "organ_chips",
    "protein_solution",
    "small_molecule",
    "microorganisms",
    "plants",
    "animals",
    "non_living_material",
    "other",
)

# Ordered: a proposal states the most crew involvement it accepts, a listing the least it demands.
CREW_TIMES = ("none", "low", "medium", "high")
# Looked up with a stated or unstated (None) value: .get(value, default).
CREW_RANK: dict[str | None, int] = {name: rank for rank, name in enumerate(CREW_TIMES)}

STATUSES = ("operational", "planned", "retired")
STATUS_CODE: dict[str | None, int] = {name: code for code, name in enumerate(STATUSES)}


def join_words(words: Iterable[str], conjunction: str = "and") -> str:
    """["a"] -> "a"; ["a", "b"] -> "a and b"; ["a", "b", "c"] -> "a, b and c"."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
