"""What a proposal's page shows of its matches: stored results, or a live preview for a draft."""

import hashlib
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache

from leoportal.domain.page_cache import markup_key
from partners.enums import Category
from partners.models import Capability
from projects.domain import scoring
from projects.enums import Fit, ProposalStatus
from projects.models import OPEN_STATUSES, Match, Proposal


@dataclass
class Suggestion:
    rank: int
    score: float
    fit: str
    criteria: list[dict]
    capability: Capability | None
    near_miss: str = ""
    summary: str = ""


@dataclass
class ProviderSuggestion:
    provider: str
    score: float
    fit: str
    covers: list[tuple[str, Capability | None]]
    missing: list[str]


@dataclass
class Suggestions:
    state: str  # "stored", "preview", "queued", "none", "closed"
    matches: list[Suggestion] = field(default_factory=list)
    near_misses: list[Suggestion] = field(default_factory=list)
    providers: list[ProviderSuggestion] = field(default_factory=list)
    computed_at: object = None
    updating: bool = False


def rendering_key(proposal: Proposal, can_ask: bool, catalogue: Hashable, now: float | None = None) -> str:
    """A key for the rendered suggestions of a proposal's page (stored matches and their check lists, or a draft's
    live preview), which cost about a third of the page. The markup depends only on what the key holds: the
    proposal as saved and as last scored, the listings it may be compared with and whether they are public
    (``catalogue``: the catalogue's fingerprint), whether the viewer may ask a provider, and the minute ("scored 3
    minutes ago")."""
    return markup_key(
        "suggestions/1",
        proposal.pk,
        proposal.status,
        proposal.updated_at.isoformat(),
        proposal.matched_at and proposal.matched_at.isoformat(),
        proposal.match_requested_at and proposal.match_requested_at.isoformat(),
        proposal.match_version,
        catalogue,
        can_ask,
        int((time.time() if now is None else now) // 60),
    )


def desk_rendering_key(
    proposal: Proposal, matches: list[Match], with_members: set[int], rows: str | None = None
) -> str:
    """A key for the rendered matches of the review desk's proposal page (each match's checks are most of the page's
    rendering). The markup depends only on what the key holds: the proposal's status and last scoring, each stored
    match with its listing and provider as last saved and whether the provider has active members (the link says
    "Introduce" or "Invite a contact and introduce"), and where known ``rows``, the digest of every row the page shows
    (projects.domain.page_rows.desk_page), which changes with a change made around the models too."""
    return markup_key(
        "desk-matches/2",
        rows,
        proposal.pk,
        proposal.status,
        proposal.matched_at and proposal.matched_at.isoformat(),
        proposal.match_version,
        [
            (
                match.pk,
                match.capability.updated_at.isoformat(),
                match.capability.organisation.updated_at.isoformat(),
                match.capability.organisation_id in with_members,
            )
            for match in matches
        ],
    )


# What a suggestion shows of its listing and provider (the page and the API): the rest of a listing's row (its
# description, facts and sources) is never read, and loading it took a third of the stored suggestions' query.
SHOWN_OF_LISTING = (
    "name",
    "external_id",
    "public_id",
    "publication",
    "organisation__name",
    "organisation__verified",
)

MATCH_FIELDS = tuple(field.attname for field in Match._meta.concrete_fields)


def _capabilities(pks) -> dict[int, Capability]:
    listings = Capability.objects.filter(pk__in=pks).select_related("organisation").only(*SHOWN_OF_LISTING)
    return {c.pk: c for c in listings}


def suggestions_for(proposal: Proposal, limit: int = 10) -> Suggestions:
    if proposal.status in (ProposalStatus.WITHDRAWN,):
        return Suggestions("closed")
    if proposal.status == ProposalStatus.DRAFT:
        return _preview(proposal, limit)
    stored = list(
        Match.objects.filter(proposal=proposal)
        .select_related("capability__organisation")
        .only(*MATCH_FIELDS, *(f"capability__{name}" for name in SHOWN_OF_LISTING))
        .order_by("rank")
    )
    updating = bool(
        proposal.match_requested_at and proposal.matched_at and proposal.match_requested_at > proposal.matched_at
    )
    if not stored:
        # Scored and nothing stored means there was nothing to compare with; waiting only until the first scoring.
        waiting = proposal.status in OPEN_STATUSES and (proposal.matched_at is None or updating)
        return Suggestions("queued" if waiting else "none")
    result = Suggestions("stored", computed_at=proposal.matched_at, updating=updating)
    for match in stored:
        suggestion = Suggestion(
            match.rank, match.score, match.fit, match.criteria, match.capability, match.near_miss, match.summary
        )
        _sort(result, suggestion)
    result.matches = result.matches[:limit]
    result.providers = _providers(proposal)
    return result


def _preview(proposal: Proposal, limit: int) -> Suggestions:
    ranking, loaded = scoring.preview(proposal)
    if ranking is None:
        return Suggestions("none")
    kept = ranking.matches[:limit] + ranking.near_misses
    capabilities = _capabilities(loaded.capability_pks[m.capability_id] for m in kept)
    result = Suggestions("preview", providers=_provider_suggestions(ranking, loaded))
    for match in kept:
        suggestion = Suggestion(
            match.rank,
            match.score,
            str(match.fit),
            [check.as_dict() for check in match.criteria],
            capabilities.get(loaded.capability_pks[match.capability_id]),
            match.change or "",
            match.summary,
        )
        _sort(result, suggestion)
    return result


def _sort(result: Suggestions, suggestion: Suggestion) -> None:
    """Near misses apart; a facility that cannot take the experiment is no suggestion (staff still see it)."""
    if suggestion.near_miss:
        result.near_misses.append(suggestion)
    elif suggestion.fit != Fit.DOES_NOT_FIT:
        result.matches.append(suggestion)


def _providers(proposal: Proposal) -> list[ProviderSuggestion]:
    if len(set(proposal.needs or ())) < 2:
        return []  # the multi-listing view is for several stated kinds: skip the live ranking it would discard
    ranking, loaded = scoring.preview(proposal)
    return [] if ranking is None else _provider_suggestions(ranking, loaded)


def _provider_suggestions(ranking, loaded, limit: int = 5) -> list[ProviderSuggestion]:
    """Providers whose listings together cover more than one needed kind of hardware (the multi-listing view).

    Only for proposals that state several kinds: with one, it would repeat the facility list."""
    if len(ranking.proposal.needs) < 2:
        return []
    options = [o for o in ranking.providers if o.fit != Fit.DOES_NOT_FIT][:limit]
    pks = {loaded.capability_pks[c] for o in options for c in o.covers.values() if c in loaded.capability_pks}
    capabilities = _capabilities(pks)
    return [
        ProviderSuggestion(
            provider=o.provider,
            score=o.score,
            fit=str(o.fit),
            covers=[
                (Category(need).label, capabilities.get(loaded.capability_pks.get(c))) for need, c in o.covers.items()
            ],
            missing=[Category(need).label for need in o.missing],
        )
        for o in options
    ]


# --- The landing page's example --------------------------------------------------------------------------------

# A typical experiment the public catalogue is matched against on the home page (not a proposal of anyone's).
EXAMPLE_EXPERIMENT = {
    "title": "Liver organoids for toxicity screening",
    "summary": "Grow liver organoids for 14 days at body temperature and bring them back cold for analysis.",
    "sample_type": "organoids",
    "needs": ["cell_culture_bioreactor"],
    "research_areas": ["organoids"],
    "temperature_min_c": Decimal("36.5"),
    "temperature_max_c": Decimal("37.5"),
    "co2": True,
    "units_needed": 24,
    "duration_days": Decimal(14),
    "crew_time": "low",
    "sample_return": True,
    "return_temperature_c": Decimal(4),
}
EXAMPLE_NEEDS = [
    "Organoids",
    "Cell culture / bioreactor",
    "36.5-37.5 °C",
    "CO₂ control",
    "24 units",
    "14 days on orbit",
    "Little crew time",
    "Back to Earth at 4 °C",
]


# How the checks of a match are grouped for people: what fits, what to confirm with the provider, what does not.
@dataclass(frozen=True)
class LandingExample:
    needs: list[str]
    name: str
    provider: str
    url: str
    score: float
    fit: str
    summary: str  # "Meets 3 of 4 needs · 1 to confirm with the provider · 2 similar experiments flew here"
    criteria: list[dict]  # every check: name, outcome, detail
    near_miss: str  # "ICE Cubes Facility (Space Applications Services): fits if you can fly 20 units..."
    compared: int  # listings the example was ranked against


def landing_example() -> LandingExample | None:
    """The best match of EXAMPLE_EXPERIMENT in the public catalogue, live from the matcher: what the home page
    shows to explain matching. Cached until the catalogue changes; None while no listing is published."""
    digest = hashlib.sha256(repr(scoring.catalogue_fingerprint()).encode()).hexdigest()[:32]
    key = f"landing-example:{digest}"
    example = cache.get(key)
    if example is None:
        example = _landing_example() or "none"
        cache.set(key, example, 3600)
    return None if example == "none" else example


def _landing_example() -> LandingExample | None:
    ranking, loaded = scoring.preview(Proposal(**EXAMPLE_EXPERIMENT))
    if ranking is None or not ranking.matches:
        return None
    best = ranking.matches[0]
    capabilities = _capabilities(
        [loaded.capability_pks[best.capability_id]]
        + [loaded.capability_pks[m.capability_id] for m in ranking.near_misses[:1]]
    )
    capability = capabilities[loaded.capability_pks[best.capability_id]]
    near_miss = ""
    if ranking.near_misses:
        miss = ranking.near_misses[0]
        other = capabilities.get(loaded.capability_pks[miss.capability_id])
        if other is not None and miss.change:
            near_miss = f"{other.name} ({other.organisation.name}): {miss.change}"
    return LandingExample(
        needs=EXAMPLE_NEEDS,
        name=capability.name,
        provider=capability.organisation.name,
        url=capability.get_absolute_url(),
        score=best.score,
        fit=str(best.fit),
        summary=best.summary,
        criteria=[check.as_dict() for check in best.criteria],
        near_miss=near_miss,
        compared=len(loaded.catalogue),
    )
