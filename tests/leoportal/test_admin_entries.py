"""Every model of the site has an admin entry staff can open: list, search, filters, and audit fields read-only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from leoportal.enums import Delivery, NotificationKind
from leoportal.models import ApiToken, BackgroundJob, FailedTask, Notification, NotificationPreference, WorkerHeartbeat
from partners.models import CapabilityUpload
from projects.models import (
    DecisionEmail,
    DecisionTemplate,
    ListingDemand,
    RescoreRequest,
    ReviewerInvitation,
    ReviewerProfile,
    StatusChange,
)
from projects.models import Invitation as ProjectInvitation
from tests.factories import ReviewerFactory
from tests.partners.factories import (
    AvailabilityWindowFactory,
    CapabilityFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.projects.factories import (
    CallFactory,
    CoInvestigatorFactory,
    IntroductionFactory,
    IntroductionRequestFactory,
    MatchFactory,
    NarrativeFactory,
    PanelMemberFactory,
    PrecedentFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    ReviewRoundFactory,
)
from tests.utils import soup
from tests.webhooks.factories import EndpointFactory
from webhooks.models import Delivery as WebhookDelivery

pytestmark = pytest.mark.django_db

APPS = ("leoportal", "projects", "partners", "webhooks")
# Models deliberately not in the admin, each shown to staff elsewhere or of no use to them there.
NOT_IN_ADMIN = {
    "projects.calendarfeed",  # a person's secret calendar address: theirs alone, reset from their own page
    "projects.proposalversion",  # frozen submissions: the versions page, linked from the desk's proposal page
    "projects.suggestedassignment",  # the suggestion job's output: shown and accepted on the call's panel page
    "webhooks.attempt",  # each try at a delivery: listed inside the delivery's admin page
}
MODELS = sorted(
    label
    for label in (
        f"{model._meta.app_label}.{model._meta.model_name}"
        for app_label in APPS
        for model in apps.get_app_config(app_label).get_models()
        if not model.__name__.startswith("Historical")
    )
    if label not in NOT_IN_ADMIN
)
# Fields that record what happened: never editable in the admin.
AUDIT_FIELDS = {"public_id", "created_at", "updated_at"}


def make(label, staff):
    """One row of the model ``label``."""
    now = timezone.now()
    makers = {
        "leoportal.user": lambda: staff,
        "mfa.authenticator": lambda: staff.authenticator_set.get(),
        "leoportal.workerheartbeat": lambda: WorkerHeartbeat.objects.create(name="worker", beat_at=now),
        "leoportal.notification": lambda: Notification.objects.create(
            recipient=staff, kind=NotificationKind.SUBMISSION, subject="New", body="New.", dedupe_key="k"
        ),
        "leoportal.notificationpreference": lambda: NotificationPreference.objects.create(
            user=staff, kind=NotificationKind.SUBMISSION, delivery=Delivery.DIGEST
        ),
        "leoportal.failedtask": lambda: FailedTask.objects.create(task_id="t1", task_name="x", exception="Boom"),
        "leoportal.backgroundjob": lambda: BackgroundJob.objects.create(owner=staff, kind="k", label="Export"),
        "leoportal.apitoken": lambda: ApiToken.objects.create(
            user=staff, name="CI", prefix="leo_abc", key_hash="0" * 64
        ),
        "projects.call": CallFactory,
        "projects.proposal": lambda: ProposalFactory(status="submitted"),  # the list leaves drafts out
        "projects.attachment": NarrativeFactory,
        "projects.statuschange": lambda: StatusChange.objects.create(proposal=ProposalFactory(), to_status="draft"),
        "projects.match": MatchFactory,
        "projects.listingdemand": lambda: ListingDemand.objects.create(
            capability=CapabilityFactory(), fits=1, to_confirm=2, computed_at=now
        ),
        "projects.coinvestigator": CoInvestigatorFactory,
        "projects.invitation": lambda: ProjectInvitation.objects.create(
            co_investigator=CoInvestigatorFactory(),
            email="coi@example.edu",
            access="view",
            expires_at=now + timezone.timedelta(days=7),
        ),
        "projects.review": ReviewFactory,
        "projects.introduction": IntroductionFactory,
        "projects.introductionrequest": IntroductionRequestFactory,
        "projects.precedent": PrecedentFactory,
        "projects.rescorerequest": lambda: RescoreRequest.objects.create(capability_id=7, categories=["bioprinter"]),
        "projects.reviewerprofile": lambda: ReviewerProfile.objects.create(
            user=ReviewerFactory(), research_areas=["organoids"], keywords="liver, organoids"
        ),
        "projects.panelmember": PanelMemberFactory,
        "projects.reviewerinvitation": lambda: ReviewerInvitation.objects.create(
            call=CallFactory(),
            email="reviewer@example.edu",
            invited_by=staff,
            expires_at=now + timezone.timedelta(days=7),
        ),
        "projects.reviewassignment": lambda: ReviewAssignmentFactory(assigned_by=staff),
        "projects.reviewround": lambda: ReviewRoundFactory(),
        "projects.decisiontemplate": lambda: DecisionTemplate.objects.create(
            call=CallFactory(), decision="accepted", subject="{title} is accepted", body="Dear {pi_name},"
        ),
        "projects.decisionemail": lambda: DecisionEmail.objects.create(
            proposal=(proposal := ProposalFactory(status="accepted")),
            status_change=StatusChange.objects.create(proposal=proposal, to_status="accepted"),
            decision="accepted",
            subject="Accepted",
            body="Dear Ada,",
        ),
        "partners.organisation": OrganisationFactory,
        "partners.membership": MembershipFactory,
        "partners.invitation": InvitationFactory,
        "partners.capability": CapabilityFactory,
        "partners.availabilitywindow": lambda: AvailabilityWindowFactory(
            start=now.date(), end=now.date() + timezone.timedelta(days=30)
        ),
        "partners.capabilityupload": lambda: CapabilityUpload.objects.create(
            organisation=OrganisationFactory(), uploaded_by=staff, filename="listings.json", document={}
        ),
        "webhooks.endpoint": EndpointFactory,
        "webhooks.delivery": lambda: WebhookDelivery.objects.create(
            endpoint=EndpointFactory(), event="listing.demand_changed", payload={"fits": 1}, dedupe_key="k"
        ),
    }
    return makers[label]()


def test_every_model_is_registered():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert [label for label in MODELS if label not in registered] == []


@pytest.mark.parametrize("label", MODELS)
def test_staff_open_the_list_search_it_and_open_a_row(client, staff, label):
    row = make(label, staff)
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    info = (model._meta.app_label, model._meta.model_name)
    client.force_login(staff)

    listed = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    searched = client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "x"})
    opened = client.get(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))

    assert (listed.status_code, searched.status_code, opened.status_code) == (200, 200, 200)
    assert len(soup(listed).select("#result_list tbody tr")) == 1
    assert model_admin.list_display != ("__str__",)
    form = soup(opened).select_one(f"#{model._meta.model_name}_form")
    editable = {element["name"] for element in form.select("input[name], textarea[name], select[name]")}
    audit = [f.name for f in model._meta.fields if f.name in AUDIT_FIELDS or not f.editable]
    assert [name for name in audit if name in editable or f"{name}_0" in editable] == []


@pytest.mark.parametrize("label", [m for m in MODELS if m != "leoportal.workerheartbeat"])
def test_every_list_has_search_and_filters(label):
    model_admin = admin.site._registry[apps.get_model(label)]

    assert (bool(model_admin.search_fields), bool(model_admin.list_filter) or label == "projects.listingdemand") == (
        True,
        True,
    )
