"""The PI's team management and the co-investigator invitation page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from projects.domain import invitations
from projects.forms import InviteForm
from projects.models import CoInvestigator
from projects.rules import can_manage_team
from projects.views.proposals import proposal_for_action


def _team_member(request, public_id, member_id) -> CoInvestigator:
    proposal = proposal_for_action(request, public_id)
    if not can_manage_team(request.user, proposal):
        raise Http404("Only the principal investigator manages the team.")
    member = get_object_or_404(CoInvestigator.objects.filter(proposal=proposal), public_id=member_id)
    member.proposal = proposal
    return member


@login_required
@require_POST
def co_investigator_invite(request, public_id, member_id):
    member = _team_member(request, public_id, member_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether they may view or also edit the proposal.")
    else:
        try:
            invitation = invitations.invite(member, form.cleaned_data["access"], request.user)
        except invitations.InvitationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works once and expires in "
                f"{settings.PROPOSAL_INVITATION_DAYS} days.",
            )
    return redirect(reverse("projects:proposal_detail", args=[public_id]) + "#team")


@login_required
@require_POST
def co_investigator_change_access(request, public_id, member_id):
    member = _team_member(request, public_id, member_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitations.change_access(member, form.cleaned_data["access"], request.user)
        except invitations.InvitationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{member} can now {member.get_access_display().lower()} this proposal.")
    else:
        messages.error(request, "Choose whether they may view or also edit the proposal.")
    return redirect(reverse("projects:proposal_detail", args=[public_id]) + "#team")


@login_required
@require_POST
def co_investigator_remove_access(request, public_id, member_id):
    member = _team_member(request, public_id, member_id)
    invitations.remove_access(member, request.user)
    messages.success(request, f"{member} no longer has access to this proposal.")
    return redirect(reverse("projects:proposal_detail", args=[public_id]) + "#team")


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    found = invitations.find_invitation(token)
    if found is None:
        raise Http404("No such invitation.")
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    problem = invitations.problem_for(found, request.user)
    if request.method == "POST" and problem is None:
        try:
            invitations.accept(found, request.user)
        except invitations.InvitationError as error:
            problem = str(error)
        else:
            proposal = found.co_investigator.proposal
            messages.success(request, f"You joined the team of “{proposal.display_title}”.")
            return redirect(proposal)
    status = 200 if problem is None else (403 if found.is_pending else 410)
    return render(
        request,
        "projects/invitation.html",
        {"invitation": found, "proposal": found.co_investigator.proposal, "problem": problem},
        status=status,
    )
