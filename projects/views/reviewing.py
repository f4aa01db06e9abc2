"""The reviewer's pages on the site: the invitation to a panel, the list of assigned proposals, each proposal with
the review form beside it, its PDFs. A proposal not assigned to the reviewer (or no longer) is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import panels, reviews
from projects.models import Attachment, Proposal, Review, ReviewAssignment
from projects.review_forms import ConflictForm, ExpertiseForm, ReviewForm
from projects.views.attachments import file_response


def _proposal_for_review(request, public_id) -> Proposal:
    queryset = panels.proposals_for_review(request.user).select_related("owner", "call")
    return get_object_or_404(queryset, public_id=public_id)


@login_required
@require_GET
def review_list(request):
    assignments = list(
        ReviewAssignment.objects.filter(reviewer=request.user)
        .select_related("proposal__call")
        .prefetch_related(Prefetch("proposal__reviews", queryset=Review.objects.filter(reviewer=request.user)))
        .order_by("proposal__call__code", "assigned_at", "pk")
    )
    for assignment in assignments:
        assignment.done = bool(assignment.proposal.reviews.all())
    to_do = sum(not assignment.done for assignment in assignments)
    context = {"assignments": assignments, "to_do": to_do, "nav_section": "reviews"}
    return render(request, "projects/review_list.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review_proposal(request, public_id):
    proposal = _proposal_for_review(request, public_id)
    mine = reviews.own_review(proposal, request.user)
    review_form = ReviewForm(instance=mine if mine and not mine.conflict_of_interest else None)
    if request.method == "POST":
        review_form = ReviewForm(request.POST, instance=review_form.instance)
        if review_form.is_valid():
            data = review_form.cleaned_data
            try:
                reviews.submit_review(proposal, request.user, **{name: data[name] for name in review_form.Meta.fields})
            except reviews.ReviewRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, f"Your review of “{proposal.display_title}” is submitted.")
                return redirect("projects:review_list")
        else:
            messages.error(request, "The review was not saved: see the messages beside the scores.")
    files = list(proposal.attachments.all())
    for attachment in files:
        attachment.review_url = reverse("projects:review_attachment", args=[proposal.public_id, attachment.public_id])
    context = {
        "proposal": proposal,
        "co_investigators": list(proposal.co_investigators.all()),
        "attachments": files,
        "review_form": review_form,
        "conflict_form": ConflictForm(),
        "refusal": reviews.review_refusal(proposal, request.user),
        "my_review": mine,
        "nav_section": "reviews",
    }
    status = 400 if review_form.is_bound else 200
    return render(request, "projects/review_proposal.html", context, status=status)


@login_required
@require_POST
def review_conflict(request, public_id):
    proposal = _proposal_for_review(request, public_id)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep the reason under 2,000 characters.")
        return redirect("projects:review_proposal", public_id)
    reviews.declare_conflict(proposal, request.user, form.cleaned_data["note"])
    messages.success(
        request,
        f"Your conflict of interest with “{proposal.display_title}” is recorded; it is no longer assigned to you.",
    )
    return redirect("projects:review_list")


@never_cache
@login_required
@require_GET
def review_attachment(request, public_id, attachment_id):
    proposal = _proposal_for_review(request, public_id)
    return file_response(get_object_or_404(Attachment.objects.filter(proposal=proposal), public_id=attachment_id))


@never_cache
@require_http_methods(["GET", "POST"])
def reviewer_invitation(request, token):
    found = panels.find_reviewer_invitation(token)
    if found is None:
        raise Http404("No such invitation.")
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    problem = panels.reviewer_invitation_problem(found, request.user)
    form = None
    if request.user.is_authenticated and problem is None:
        profile = getattr(request.user, "reviewer_profile", None)
        initial = {"organisation": request.user.organisation}
        if profile is not None:
            initial.update(research_areas=profile.research_areas, keywords=profile.keywords, bio=profile.bio)
        form = ExpertiseForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                panels.accept_reviewer_invitation(found, request.user, panels.Expertise(**form.cleaned_data))
            except panels.PanelError as error:
                problem = str(error)
            else:
                messages.success(
                    request,
                    f"You joined the {found.call.code} review panel. Proposals assigned to you will appear here.",
                )
                return redirect("projects:review_list")
    status = 200 if problem is None else (403 if found.is_pending else 410)
    if form is not None and form.is_bound and not form.is_valid():
        status = 400
    context = {"invitation": found, "call": found.call, "problem": problem, "form": form}
    return render(request, "projects/reviewer_invitation.html", context, status=status)
