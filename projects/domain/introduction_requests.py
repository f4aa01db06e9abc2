"""Researchers ask program staff for an introduction to the provider of a listing; staff introduce or decline.

``request_introduction`` (a member of the research team) records the request and tells program staff; nothing
reaches the provider. ``grant_request`` turns it into an introduction in one step (``projects.introductions``,
inviting a contact when nobody has joined the provider yet); ``decline_request`` answers with a note for the
researcher. A researcher may ask ``INTRODUCTION_REQUESTS_PER_DAY`` times in any 24 hours. Refusals raise
``IntroductionError`` with a message meant for the person who asked.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from leoportal.domain.notifications import notify, wording
from leoportal.enums import NotificationKind
from leoportal.models import User
from leoportal.rules import is_program_staff
from partners.models import Capability
from projects.domain.introductions import (
    NOT_INTRODUCIBLE,
    NOTE_MAX_LENGTH,
    IntroductionError,
    introduce_inviting_contact,
    introduce_to_provider,
    team_accounts,
)
from projects.enums import IntroductionAnswer, RequestState
from projects.models import Introduction, IntroductionRequest, Match, Proposal
from projects.rules import is_proposal_team
from webhooks.domain import events as webhook_events


def askable_proposals(user):
    """The proposals ``user`` may ask an introduction for: their team's, submitted and not withdrawn."""
    return Proposal.objects.team_of(user).exclude(status__in=NOT_INTRODUCIBLE).order_by("-updated_at")


def request_problem(proposal: Proposal, capability: Capability, by: User, now=None) -> str | None:
    """Why ``by`` cannot ask about ``capability`` for ``proposal`` now, or None when they can."""
    now = now or timezone.now()
    if not is_proposal_team(by, proposal):
        return "Only the proposal's team can ask for an introduction."
    if proposal.status in NOT_INTRODUCIBLE:
        return (
            f"“{proposal.display_title}” is not submitted: submit it first, then ask program staff for an introduction."
        )
    if not capability.is_public:
        return "That listing is no longer in the catalogue."
    organisation = capability.organisation
    if proposal.introduction_requests.waiting().filter(organisation=organisation).exists():
        return (
            f"You already asked about {organisation.name} for “{proposal.display_title}”: program staff will answer "
            "that request first."
        )
    earlier = Introduction.objects.filter(proposal=proposal, organisation=organisation)
    if earlier.filter(answer__in=["", IntroductionAnswer.INTERESTED]).exists():
        return f"“{proposal.display_title}” is already introduced to {organisation.name}: see the proposal's page."
    since = now - timedelta(days=1)
    recent = list(
        IntroductionRequest.objects.filter(requested_by=by, created_at__gt=since)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    limit = settings.INTRODUCTION_REQUESTS_PER_DAY
    if len(recent) >= limit:
        free_at = recent[len(recent) - limit] + timedelta(days=1)
        hours = max(1, math.ceil((free_at - now).total_seconds() / 3600))
        return (
            f"You have asked for {len(recent)} introductions in the last 24 hours, the most one person may ask for in "
            f"a day. Ask again in about {hours} hour{'s' if hours != 1 else ''}, or write to program staff."
        )
    return None


def request_introduction(proposal: Proposal, capability: Capability, by: User, message: str) -> IntroductionRequest:
    """A researcher asks program staff to introduce ``proposal`` to the provider of ``capability``."""
    message = (message or "").strip()
    if not message:
        raise IntroductionError("Write a message for program staff: what you would like to ask or discuss.")
    if len(message) > NOTE_MAX_LENGTH:
        raise IntroductionError(f"Keep the message to {NOTE_MAX_LENGTH} characters.")
    with transaction.atomic():
        # Locked: two requests at once cannot both slip under the daily limit.
        User.objects.select_for_update().filter(pk=by.pk).first()
        problem = request_problem(proposal, capability, by)
        if problem:
            raise IntroductionError(problem)
        try:
            with transaction.atomic():
                request = IntroductionRequest.objects.create(
                    proposal=proposal,
                    organisation=capability.organisation,
                    capability=capability,
                    facility_name=capability.name,
                    requested_by=by,
                    message=message,
                )
        except IntegrityError:
            raise IntroductionError(
                f"You already asked about {capability.organisation.name} for “{proposal.display_title}”."
            ) from None
        subject, body = wording(
            NotificationKind.INTRODUCTION_REQUEST,
            {"by": by, "proposal": proposal, "capability": capability, "message": message},
        )
        notify(
            User.objects.program_staff(),
            NotificationKind.INTRODUCTION_REQUEST,
            subject=subject,
            body=body,
            dedupe_key=f"introduction-request:{request.public_id}",
            url=request.get_admin_url(),
            target=request,
        )
    return request


def _locked_waiting(request: IntroductionRequest) -> IntroductionRequest:
    locked = (
        IntroductionRequest.objects.select_for_update(of=("self",))
        .select_related("proposal", "organisation", "capability", "requested_by")
        .get(pk=request.pk)
    )
    if locked.state != RequestState.WAITING:
        who = locked.decided_by.display_name if locked.decided_by else "Program staff"
        raise IntroductionError(f"{who} already handled this request: {locked.get_state_display().lower()}.")
    return locked


def grant_request(request: IntroductionRequest, by: User, note: str, contact_email: str = "") -> Introduction:
    """Program staff introduce the proposal to the provider the researcher asked about, with ``note`` for the
    provider (and a contact to invite when nobody has joined the provider yet)."""
    if not is_program_staff(by):
        raise IntroductionError("Only program staff handle requests for introductions.")
    with transaction.atomic():
        locked = _locked_waiting(request)
        match = (
            Match.objects.filter(proposal=locked.proposal, capability=locked.capability)
            .select_related("capability__organisation")
            .first()
        )
        if contact_email:
            introduction = introduce_inviting_contact(
                locked.proposal, locked.organisation, by, note, contact_email, match=match
            )
        else:
            introduction = introduce_to_provider(locked.proposal, locked.organisation, by, note, match=match)
        locked.state, locked.decided_by, locked.decided_at = RequestState.INTRODUCED, by, timezone.now()
        locked.introduction = introduction
        locked.save(update_fields=["state", "decided_by", "decided_at", "introduction"])
        webhook_events.request_approved(locked, introduction)
        _notify_team(locked, "introduced")
    request.state, request.introduction = locked.state, introduction
    return introduction


def decline_request(request: IntroductionRequest, by: User, note: str) -> IntroductionRequest:
    """Program staff decline, saying why; the research team is told, the provider never hears of it."""
    if not is_program_staff(by):
        raise IntroductionError("Only program staff handle requests for introductions.")
    note = (note or "").strip()
    if not note:
        raise IntroductionError("Write a note for the researcher: why not, and what they could do instead.")
    if len(note) > NOTE_MAX_LENGTH:
        raise IntroductionError(f"Keep the note to {NOTE_MAX_LENGTH} characters.")
    with transaction.atomic():
        locked = _locked_waiting(request)
        locked.state, locked.decided_by, locked.decided_at = RequestState.DECLINED, by, timezone.now()
        locked.staff_note = note
        locked.save(update_fields=["state", "decided_by", "decided_at", "staff_note"])
        _notify_team(locked, "declined")
    request.state, request.staff_note = locked.state, locked.staff_note
    return locked


def _notify_team(request: IntroductionRequest, event: str) -> None:
    """Tell the research team what program staff decided (``event``: introduced or declined)."""
    subject, body = wording(NotificationKind.INTRODUCTION_REQUEST, {"request": request}, event=event)
    notify(
        team_accounts(request.proposal),
        NotificationKind.INTRODUCTION_REQUEST,
        subject=subject,
        body=body,
        dedupe_key=f"introduction-request-decided:{request.public_id}",
        url=request.proposal.get_absolute_url() + "#introductions",
        target=request,
    )
