"""A small domain lexicon: words to concepts, and concepts, sample types and research areas to likely hardware.

Two uses:
- text relevance: the analyzer adds a concept token (``c_bioprinting``) wherever one of its words appears, on
  both sides, so "meniscus bioink" in a proposal meets "printed a meniscus-shaped scaffold" in a listing and
  "organ-on-a-chip" meets "Organ-Chip";
- inferred needs: a proposal that lists few hardware kinds gets likely ones from its text, sample type and
  research areas, with a strength in (0, 1]. Inferred needs only ever weigh in the score, with a lower weight
  than stated ones; they never make a pair ineligible.

Patterns match whole tokens (``UNIGRAMS``) or two adjacent tokens joined by a space (``BIGRAMS``); tokens are
lower case, split on anything that is not a letter or digit, with a leading minus kept on numbers ("-80").
"""

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import chain, pairwise

from projects.matching.vocabulary import CATEGORY_LABELS, RESEARCH_AREA_LABELS

# concept -> (unigram pattern, bigram pattern, {category: strength}). Strength is the evidence the words give
# that the proposal needs that kind of hardware: "bioprinted" nearly says "bioprinter"; "astronaut" says little.
CONCEPTS = {
    "bioprinting": (
        r"bioprint\w*|bioink\w*|printers?|printing|printed|prints?",
        r"3d (bio)?print\w*",
        {"3d_bioprinter": 0.9},
    ),
    "cartilage": (r"menisc\w*|cartilage\w*|chondro\w*", None, {}),
    "crystallization": (
        r"crystal\w*|polymorph\w*|crystalli[sz]\w*",
        None,
        {"protein_crystallization": 0.9},
    ),
    "tissue_chip": (
        r"microphysiological|microfluidic\w*|chips?",
        r"(organ|tissue|lung|gut|liver|kidney|brain|heart|muscle|intestine|airway|barrier|bbb) chips?|organ on",
        {"tissue_chip_organ_on_chip": 0.8},
    ),
    "organoid": (r"organoids?|spheroids?|assembloids?", None, {"cell_culture_bioreactor": 0.6}),
    "stem_cells": (
        r"pluripotent|mesenchymal|mscs?|progenitors?",
        r"stem cells?",
        {"cell_culture_bioreactor": 0.4},
    ),
    "culture": (
        r"bioreactors?|incubat\w*|cultur\w*",
        r"media (exchange|change)s?",
        {"cell_culture_bioreactor": 0.6},
    ),
    "microbes": (
        r"microb\w*|bacteri\w*|fung\w*|yeasts?",
        None,
        {"cell_culture_bioreactor": 0.35},
    ),
    "sequencing": (r"sequenc\w*|nanopore|genomic\w*|metagenom\w*", None, {"analytical_sequencing": 0.45}),
    "rodents": (r"rodents?|mice|mouse|rats?|murine", None, {"animal_habitat": 0.6}),
    "small_animals": (r"drosophila|flies|worms?|zebrafish|fish|tadpoles?|nematodes?", None, {}),
    "glovebox": (r"glovebox\w*|dissect\w*", r"glove box|hands on", {"glovebox_containment": 0.5}),
    "free_flyer": (
        r"reentry|capsules?|uncrewed|unmanned|freeflyers?",
        r"free flyers?|recoverable (capsule|vehicle)",
        {"free_flyer_recoverable_capsule": 0.8},
    ),
    "centrifuge": (
        r"centrifug\w*",
        r"(partial|mars|martian|lunar|moon|artificial|variable|fractional|reduced|earth) gravity|1 g|0\.\d+ g",
        {"variable_gravity_centrifuge": 0.85},
    ),
    "freezer": (r"freez\w*|frozen|cryo\w*|-80|-70|-20|-196", r"cold stowage", {"cold_stowage_freezer": 0.3}),
    "microscopy": (
        r"microscop\w*|imag(e|ed|es|ing)|fluoresc\w*|videos?|cameras?",
        r"time lapse|live imaging",
        {"imaging_microscopy": 0.45},
    ),
    "crewed_mission": (
        r"astronauts?",
        r"crewed (flight|mission)|short (flight|mission)",
        {"crewed_private_mission": 0.35},
    ),
    "automation": (r"automat\w*|autonomous\w*|unattended|telescience", r"no crew|without (any )?crew", {}),
    "heart": (r"heart|cardi\w*", None, {}),
    "muscle": (r"muscles?|myotubes?|myoblasts?|sarcopeni\w*|atroph\w*|wasting", None, {}),
    "bone": (r"bones?|osteo\w*", None, {}),
    "nerve": (r"nerves?|neur\w*|axon\w*|brain|cortical", None, {}),
    "immune": (r"immun\w*|macrophages?|lymphocytes?|leukocytes?|neutrophils?|inflamm\w*|t-cells?", None, {}),
    "cancer": (r"cancers?|tumou?rs?|oncolog\w*|carcinoma\w*", None, {}),
    "liver": (r"liver|hepat\w*", None, {}),
    "vascular": (r"vascul\w*|vessels?|endotheli\w*", None, {}),
    "protein": (r"antibod\w*|monoclonal|mabs?|proteins?|enzymes?|biologics?", None, {}),
    "plants": (r"plants?|seedlings?|moss\w*|arabidopsis", None, {}),
}

# Sample type -> likely hardware. Bioink means a printer; organ chips mean a chip system; living cells need culture.
SAMPLE_TYPE_NEEDS = {
    "bioink": {"3d_bioprinter": 1.0},
    "organ_chips": {"tissue_chip_organ_on_chip": 1.0},
    "protein_solution": {"protein_crystallization": 0.35},
    "small_molecule": {"protein_crystallization": 0.35},
    "animals": {"animal_habitat": 0.5},
    "live_cells": {"cell_culture_bioreactor": 0.6},
    "organoids": {"cell_culture_bioreactor": 0.7},
    "tissue_constructs": {"cell_culture_bioreactor": 0.5},
    "microorganisms": {"cell_culture_bioreactor": 0.5},
    "plants": {"cell_culture_bioreactor": 0.3},
}

# Research area -> likely hardware.
RESEARCH_AREA_NEEDS = {
    "protein_crystallization": {"protein_crystallization": 0.6},
    "small_molecule_crystallization": {"protein_crystallization": 0.6},
    "tissue_chips": {"tissue_chip_organ_on_chip": 0.6},
    "biofabrication": {"3d_bioprinter": 0.4},
    "organoids": {"cell_culture_bioreactor": 0.4},
    "stem_cells": {"cell_culture_bioreactor": 0.3},
    "cell_biology": {"cell_culture_bioreactor": 0.3},
    "microbiology": {"cell_culture_bioreactor": 0.3},
    "tissue_engineering": {"cell_culture_bioreactor": 0.3},
}

# Hardware that keeps its own cells or animals alive: it makes a separate culture facility unnecessary.
CULTURE_BEARING = ("tissue_chip_organ_on_chip", "animal_habitat")
# Strength of an analysis need when samples do not come back: it must happen on orbit.
ON_ORBIT_ANALYSIS = 0.9

# Words that say nothing about which hardware fits: every proposal and listing in this domain is about space.
DOMAIN_STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each either etc few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just least less may me might more
    most much must my myself no nor not now of off on once only or other our ours ourselves out over own per same
    she should so some such than that the their theirs them themselves then there these they this those through
    to too under until up upon us use used uses using very via was we were what when where which while who whom
    why will with within without would yet you your yours yourself yourselves
    microgravity space spaceflight orbit orbital station iss international flight flights flown fly experiment
    experiments research study studies investigation investigations mission missions earth ground samples sample
    s e g eg ie new first based will one two three four ten several
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

_TOKEN = re.compile(r"-?\d+(?:\.\d+)?|[a-z][a-z0-9]*")
_COMPILED = {
    name: (
        re.compile(unigrams) if unigrams else None,
        re.compile(bigrams) if bigrams else None,
    )
    for name, (unigrams, bigrams, _) in CONCEPTS.items()
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately light stemmer: plural and a few verb endings, so "crystals" meets "crystal"."""
    if len(word) <= 3 or word[0] == "-" or word[0].isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _unigram_concepts(token: str) -> tuple[str, ...]:
    return tuple(name for name, (uni, _) in _COMPILED.items() if uni is not None and uni.fullmatch(token))


@lru_cache(maxsize=262144)
def _bigram_concepts(pair: str) -> tuple[str, ...]:
    return tuple(name for name, (_, bi) in _COMPILED.items() if bi is not None and bi.fullmatch(pair))


@lru_cache(maxsize=65536)
def _feature(token: str) -> str:
    """A token's TF-IDF feature: its stem, or "" for numbers and stop words."""
    if not token[0].isalpha() or token in DOMAIN_STOP_WORDS:
        return ""
    return stem(token)


@lru_cache(maxsize=8192)
def analyze_text(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """(features for TF-IDF, concepts mentioned): stemmed content words plus one ``c_<concept>`` token per concept.

    Cached: a catalogue's texts are analysed again each time its precedents change (the evaluation does that often).
    """
    tokens = _TOKEN.findall(text.lower().replace("\u2212", "-"))
    found = set(chain.from_iterable(map(_unigram_concepts, tokens)))
    found.update(chain.from_iterable(map(_bigram_concepts, map(" ".join, pairwise(tokens)))))
    features = [feature for feature in map(_feature, tokens) if feature]
    features += [f"c_{name}" for name in sorted(found)]
    return tuple(features), frozenset(found)


def concepts(text: str) -> frozenset[str]:
    """The concepts a text mentions."""
    return analyze_text(text)[1]


def capability_text(
    name: str, platform: str | None, description: str | None, categories: Iterable[str], research_areas: Iterable[str]
) -> str:
    """The text a listing is matched on: its own words plus the names of its categories and research areas."""
    labels = [CATEGORY_LABELS[c] for c in categories] + [RESEARCH_AREA_LABELS[a] for a in research_areas]
    return " ".join(part for part in (name, platform, description, ". ".join(labels)) if part)


def inferred_needs(
    found_concepts: AbstractSet[str],
    sample_type: str | None,
    research_areas: Iterable[str],
    variable_gravity: bool | None,
    sample_return: bool | None,
) -> dict[str, float]:
    """Likely hardware kinds with a strength in (0, 1], combining the evidence as independent signals.

    Two rules on top of the tables: culture-bearing hardware (an organ-chip system, an animal habitat) already
    keeps its cells or animals alive, so it explains away the generic culture need that living samples suggest;
    and a proposal that states it returns no samples must analyse or image them on orbit.
    """
    evidence: dict[str, list[float]] = {}

    def add(table: Mapping[str, float]) -> None:
        for category, strength in table.items():
            evidence.setdefault(category, []).append(strength)

    for name in sorted(found_concepts):
        add(CONCEPTS[name][2])
    if sample_type:
        add(SAMPLE_TYPE_NEEDS.get(sample_type, {}))
    for area in research_areas:
        add(RESEARCH_AREA_NEEDS.get(area, {}))
    if variable_gravity:
        add({"variable_gravity_centrifuge": 1.0})
    if sample_return is False:
        if "sequencing" in found_concepts:
            add({"analytical_sequencing": ON_ORBIT_ANALYSIS})
        if "microscopy" in found_concepts:
            add({"imaging_microscopy": ON_ORBIT_ANALYSIS})
    combined: dict[str, float] = {}
    for category, strengths in sorted(evidence.items()):
        miss = 1.0
        for strength in strengths:
            miss *= 1.0 - strength
        combined[category] = 1.0 - miss
    culture_bearing = max(combined.get(kind, 0.0) for kind in CULTURE_BEARING)
    if "cell_culture_bioreactor" in combined:
        combined["cell_culture_bioreactor"] *= 1.0 - culture_bearing
    return {category: strength for category, strength in combined.items() if strength > 0}


def fingerprint() -> str:
    """Everything in this module that changes results, as text: part of the algorithm version."""
    tables = (CONCEPTS, SAMPLE_TYPE_NEEDS, RESEARCH_AREA_NEEDS, CULTURE_BEARING, ON_ORBIT_ANALYSIS)
    return repr((tables, sorted(DOMAIN_STOP_WORDS)))
