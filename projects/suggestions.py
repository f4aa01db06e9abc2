"""What a proposal's page shows of its matches: stored results, or a live preview for a draft."""

from dataclasses import dataclass, field

from partners.enums import Category
from partners.models import Capability
from projects import scoring
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

    @property
    def fit_label(self) -> str:
        return Fit(self.fit).label


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


def _capabilities(pks) -> dict[int, Capability]:
    return {c.pk: c for c in Capability.objects.filter(pk__in=pks).select_related("organisation")}


def suggestions_for(proposal: Proposal, limit: int = 10) -> Suggestions:
    if proposal.status in (ProposalStatus.WITHDRAWN,):
        return Suggestions("closed")
    stored = list(Match.objects.filter(proposal=proposal).select_related("capability__organisation").order_by("rank"))
    if proposal.status == ProposalStatus.DRAFT:
        return _preview(proposal, limit)
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
