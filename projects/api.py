"""A researcher's own proposals in the API (``/api/v1/proposals``): read with a personal token. A proposal outside
the token's reach (another team's, or any through an organisation's token) is 404, as on the site."""

import uuid
from datetime import datetime

from django.http import Http404
from ninja import Router, Schema

from projects.models import Proposal

router = Router(tags=["Proposals"])


class ProposalOut(Schema):
    id: uuid.UUID
    title: str
    status: str
    summary: str
    last_submitted_at: datetime | None
    url: str


def _reachable(request):
    token = request.auth
    if not token.is_personal:
        return Proposal.objects.none()  # an organisation's token reaches its listings, not anyone's proposals
    return Proposal.objects.team_of(token.user).order_by("-updated_at", "-id")


def _out(request, proposal) -> dict:
    return {
        "id": proposal.public_id,
        "title": proposal.title,
        "status": proposal.status,
        "summary": proposal.summary,
        "last_submitted_at": proposal.last_submitted_at,
        "url": request.build_absolute_uri(proposal.get_absolute_url()),
    }


@router.get("", response=list[ProposalOut], summary="Your proposals (personal token)")
def proposals(request):
    return [_out(request, proposal) for proposal in _reachable(request)[:500]]


@router.get("/{proposal_id}", response=ProposalOut, summary="One of your proposals (personal token)")
def proposal(request, proposal_id: uuid.UUID):
    found = _reachable(request).filter(public_id=proposal_id).first()
    if found is None:
        raise Http404("No such proposal.")
    return _out(request, found)
