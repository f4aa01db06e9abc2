"""Introductions: staff introduce a proposal to a provider; the provider's members read the summary and answer.

A provider never reaches the proposal's own pages (they stay 404 for them): the introduction page shows what an
introduction shares, looked up through ``Introduction.objects.visible_to`` (the user's organisations only).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leoportal.domain import page_cache
from leoportal.domain.page_cache import KeptContent
from partners.models import Capability
from projects.domain import page_rows, queries
from projects.domain.introduction_requests import askable_proposals, request_introduction
from projects.domain.introductions import (
    IntroductionError,
    answer_introduction,
    explanation_rendering_key,
    introduce_inviting_contact,
    introduce_to_provider,
)
from projects.forms.introductions import (
    AnswerForm,
    AskForm,
    IntroduceForm,
    answer_form_key,
    introducible_organisations,
)
from projects.models import Introduction, Match
from projects.rules import can_answer_introduction, can_introduce

INTRODUCTIONS_PER_PAGE = 25


@login_required
@require_http_methods(["GET", "POST"])
def introduce(request, public_id):
    """Program staff introduce a proposal to a provider (``?capability=<public id>`` preselects a match)."""
    if not can_introduce(request.user):
        raise Http404("No such page.")
    proposal = get_object_or_404(queries.visible_proposals(request.user), public_id=public_id)
    organisations = list(introducible_organisations())
    matches = list(Match.objects.filter(proposal=proposal).select_related("capability__organisation").order_by("rank"))
    preselected = request.GET.get("capability", "")
    chosen = next((m for m in matches if str(m.capability.public_id) == preselected), None)
    initial = {"capability": preselected, "organisation": chosen.capability.organisation.slug} if chosen else {}
    form = IntroduceForm(request.POST or None, initial=initial, matches=matches, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        provider, contact = form.cleaned_data["provider"], form.cleaned_data["contact_email"]
        note, match = form.cleaned_data["note"], form.cleaned_data["match"]
        try:
            if contact:
                introduce_inviting_contact(proposal, provider, request.user, note, contact, match=match)
            else:
                introduce_to_provider(proposal, provider, request.user, note, match=match)
        except IntroductionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _introduced_message(proposal, provider, contact, form.with_members))
            return redirect("admin:projects_proposal_change", proposal.pk)
    with_members = {o.name for o in organisations if o.member_total}
    no_members = sorted({m.capability.organisation.name for m in matches} - with_members)
    return render(
        request,
        "projects/introduce.html",
        {
            "proposal": proposal,
            "form": form,
            "preselected": chosen,
            "preselected_needs_contact": chosen is not None and chosen.capability.organisation_id not in form.reachable,
            "preselected_awaits_contact": chosen is not None
            and chosen.capability.organisation_id in form.reachable - form.with_members,
            "no_members": no_members,
            "introductions": queries.proposal_introductions(proposal),
        },
        status=400 if request.method == "POST" else 200,
    )


def _introduced_message(proposal, provider, contact, with_members) -> str:
    if contact:
        return (
            f"“{proposal.display_title}” was introduced to {provider.name}, and {contact} is invited to join it as its "
            "administrator: the introduction waits for them, and you will be told when they answer."
        )
    if provider.pk not in with_members:
        return (
            f"“{proposal.display_title}” was introduced to {provider.name}. Nobody has joined it yet: the introduction "
            "waits for the contact already invited."
        )
    return (
        f"“{proposal.display_title}” was introduced to {provider.name}; its members have been notified. You and the "
        "research team will be told when they answer."
    )


@login_required
@require_GET
def introduction_detail(request, public_id):
    """What the introduction shares with the provider; the contacts once a member answered interested."""
    # Whether the viewer may open it, and what a kept page needs besides its content: the proposal's title.
    visible = Introduction.objects.visible_to(request.user).select_related("proposal").only("proposal__title")
    found = get_object_or_404(visible, public_id=public_id)
    content = KeptContent(_kept_page_key(request.user, found))
    if not content.missing:
        context = {"introduction": found, "proposal": found.proposal, "content": content}
        return render(request, "projects/introduction_detail.html", context)
    introduction = queries.introduction_page_queryset(request.user).get(pk=found.pk)
    return render_introduction_page(request, introduction, AnswerForm(), content=content)


def _kept_page_key(user, introduction) -> str | None:
    """An introduction's page is the same for one viewer while the rows it shows stay the same (None: not kept)."""
    return page_cache.kept_key("introduction-page/1", page_rows.introduction_page(introduction.pk), user)


def render_introduction_page(request, introduction, answer_form, status=200, content=None):
    """The introduction's page rendered, its content kept in ``content`` when given (a plain visit)."""
    return render(
        request,
        "projects/introduction_detail.html",
        {
            "content": content or KeptContent(None),
            "introduction": introduction,
            "proposal": introduction.proposal,
            "can_answer": can_answer_introduction(request.user, introduction),
            "answer_form": answer_form,
            "answer_form_key": answer_form_key(answer_form),
            "explanation_key": explanation_rendering_key(introduction),
            "rendering_seconds": page_cache.RENDERING_SECONDS,
        },
        status=status,
    )


@login_required
@require_POST
def introduction_answer(request, public_id):
    introduction = get_object_or_404(queries.introduction_page_queryset(request.user), public_id=public_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        interested = form.cleaned_data["answer"] == "interested"
        try:
            answer_introduction(introduction, request.user, interested, form.cleaned_data["message"])
        except IntroductionError as error:
            messages.error(request, error.message)
            return redirect(introduction)
        if interested:
            messages.success(
                request,
                "Thank you: the research team and program staff have been told you are interested. Their contact "
                "details are below, and yours are shared with them.",
            )
        else:
            messages.success(request, "Thank you: the research team and program staff have been told.")
        return redirect(introduction)
    return render_introduction_page(request, introduction, form, status=400)


@login_required
@require_GET
def introduction_list(request):
    """Every introduction to the provider's organisations: those awaiting an answer first, then the newest."""
    if request.user.is_staff:
        return redirect(reverse("admin:projects_introduction_changelist"))
    if not request.user.is_provider:
        raise Http404("Introductions are for providers.")
    content = KeptContent(_kept_list_key(request))
    context: dict = {"content": content}
    if content.missing:
        page = Paginator(queries.provider_introductions(request.user), INTRODUCTIONS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context |= {"page_obj": page, "introductions": page.object_list}
    return render(request, "projects/introduction_list.html", context)


def _kept_list_key(request) -> str | None:
    """A provider's introductions are the same, page by page, while the rows they show stay the same (None: not
    kept)."""
    rows = page_rows.provider_introductions(request.user.pk)
    return page_cache.kept_key("introduction-list/1", rows, request.user, request.GET.get("page"))


@login_required
@require_http_methods(["GET", "POST"])
def ask(request, public_id):
    """A researcher asks program staff for an introduction to a listing's provider (``?proposal=`` preselects)."""
    capability = get_object_or_404(Capability.objects.public().select_related("organisation"), public_id=public_id)
    if request.user.is_staff or not request.user.is_researcher:
        raise Http404("Researchers ask for introductions.")
    proposals = list(askable_proposals(request.user))
    initial = {"proposal": request.GET.get("proposal", "")}
    form = AskForm(request.POST or None, initial=initial, proposals=proposals)
    if request.method == "POST" and proposals and form.is_valid():
        proposal = form.cleaned_data["proposal"]
        try:
            request_introduction(proposal, capability, request.user, form.cleaned_data["message"])
        except IntroductionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Program staff have your request about {capability.name}. They introduce your proposal to "
                f"{capability.organisation.name} or tell you why not; {capability.organisation.name} sees nothing "
                "until then.",
            )
            return redirect(proposal.get_absolute_url() + "#introductions")
    return render(
        request,
        "projects/ask.html",
        {"capability": capability, "form": form, "proposals": proposals},
        status=400 if request.method == "POST" else 200,
    )
