"""Confidential by default: anyone outside the team gets a 404 for every proposal URL; scoped querysets."""

import pytest
from django.urls import reverse

from projects.enums import Access, ProposalStatus
from projects.models import Proposal
from projects.rules import can_edit_proposal, can_view_proposal, is_proposal_team
from tests.projects.factories import CoInvestigatorFactory, NarrativeFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(researcher):
    return ProposalFactory(owner=researcher, title="Confidential plan")


def urls(proposal):
    narrative = NarrativeFactory(proposal=proposal)
    member = CoInvestigatorFactory(proposal=proposal)
    key = proposal.public_id
    return {
        "GET": [
            reverse("projects:proposal_detail", args=[key]),
            reverse("projects:proposal_edit", args=[key]),
            reverse("projects:attachment_download", args=[key, narrative.public_id]),
        ],
        "POST": [
            reverse("projects:proposal_edit", args=[key]),
            reverse("projects:proposal_withdraw", args=[key]),
            reverse("projects:proposal_delete", args=[key]),
            reverse("projects:attachment_upload", args=[key, "letter"]),
            reverse("projects:attachment_delete", args=[key, narrative.public_id]),
            reverse("projects:co_investigator_invite", args=[key, member.public_id]),
            reverse("projects:co_investigator_remove_access", args=[key, member.public_id]),
            reverse("projects:co_investigator_change_access", args=[key, member.public_id]),
        ],
    }


@pytest.mark.parametrize("who", ["researcher2", "provider_user", "provider_user2", "outsider"])
def test_every_proposal_url_is_404_for_anyone_outside_the_team(client, request, proposal, who):
    client.force_login(request.getfixturevalue(who))
    addresses = urls(proposal)

    statuses = [client.get(url).status_code for url in addresses["GET"]]
    statuses += [client.post(url, {"title": "hijack", "access": "edit"}).status_code for url in addresses["POST"]]

    assert statuses == [404] * 11
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Confidential plan", ProposalStatus.DRAFT)


def test_every_proposal_url_needs_sign_in(client, proposal):
    addresses = urls(proposal)

    responses = [client.get(url) for url in addresses["GET"]] + [client.post(url) for url in addresses["POST"]]

    assert {(r.status_code, r["Location"].split("?")[0]) for r in responses} == {(302, reverse("account_login"))}


def test_a_guessed_id_is_404_like_a_hidden_one(client, researcher2):
    client.force_login(researcher2)

    assert (
        client.get(reverse("projects:proposal_detail", args=["00000000-0000-0000-0000-000000000001"])).status_code
        == 404
    )


def test_proposal_urls_use_the_public_uuid_not_the_primary_key(proposal):
    assert proposal.get_absolute_url() == f"/proposals/{proposal.public_id}/"
    assert str(proposal.pk) not in proposal.get_absolute_url().split("/")


def test_the_team_and_staff_see_the_proposal(client, proposal, researcher, researcher2, staff):
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.VIEW, email=researcher2.email)

    seen = []
    for user in (researcher, researcher2, staff):
        client.force_login(user)
        seen.append(client.get(proposal.get_absolute_url()).status_code)

    assert seen == [200, 200, 200]


def test_a_co_investigator_who_has_not_accepted_sees_nothing(client, proposal, researcher2):
    CoInvestigatorFactory(proposal=proposal, email=researcher2.email)  # listed, never accepted an invitation
    client.force_login(researcher2)

    assert client.get(proposal.get_absolute_url()).status_code == 404


def test_staff_see_the_proposal_but_do_not_edit_it(client, proposal, staff):
    client.force_login(staff)

    response = client.get(reverse("projects:proposal_edit", args=[proposal.public_id]))

    assert (response.status_code, response["Location"]) == (302, proposal.get_absolute_url())


def test_visible_to(researcher, researcher2, staff, outsider):
    mine = ProposalFactory(owner=researcher)
    shared_view = ProposalFactory(owner=researcher)
    shared_edit = ProposalFactory(owner=researcher)
    submitted_shared_edit = ProposalFactory(owner=researcher, status=ProposalStatus.SUBMITTED)
    theirs = ProposalFactory(owner=researcher2)
    CoInvestigatorFactory(proposal=shared_view, user=researcher2, access=Access.VIEW, email=researcher2.email)
    CoInvestigatorFactory(proposal=shared_edit, user=researcher2, access=Access.EDIT, email=researcher2.email)
    CoInvestigatorFactory(proposal=submitted_shared_edit, user=researcher2, access=Access.EDIT, email=researcher2.email)

    def ids(queryset):
        return sorted(queryset.values_list("pk", flat=True))

    assert ids(Proposal.objects.visible_to(researcher2)) == sorted(
        [shared_view.pk, shared_edit.pk, submitted_shared_edit.pk, theirs.pk]
    )
    assert ids(Proposal.objects.visible_to(staff)) == ids(Proposal.objects.all())
    assert ids(Proposal.objects.visible_to(outsider)) == []
    assert ids(Proposal.objects.visible_to(researcher)) == sorted(
        [mine.pk, shared_view.pk, shared_edit.pk, submitted_shared_edit.pk]
    )


def test_predicates_match_the_querysets(researcher, researcher2, staff, outsider):
    proposal = ProposalFactory(owner=researcher)
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.VIEW, email=researcher2.email)

    assert [is_proposal_team(user, proposal) for user in (researcher, researcher2, staff, outsider)] == [
        True,
        True,
        False,
        False,
    ]
    assert [can_view_proposal(user, proposal) for user in (researcher, researcher2, staff, outsider)] == [
        True,
        True,
        True,
        False,
    ]
    assert [can_edit_proposal(user, proposal) for user in (researcher, researcher2, staff, outsider)] == [
        True,
        False,
        False,
        False,
    ]


def test_an_inactive_user_sees_nothing(researcher):
    ProposalFactory(owner=researcher)
    researcher.is_active = False
    researcher.save()

    assert Proposal.objects.visible_to(researcher).count() == 0


def test_deleting_a_draft_removes_it_and_its_files(client, researcher, settings, django_capture_on_commit_callbacks):
    from pathlib import Path

    proposal = ProposalFactory(owner=researcher)
    narrative = NarrativeFactory(proposal=proposal)
    path = Path(settings.MEDIA_ROOT, narrative.file.name)
    client.force_login(researcher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:proposal_delete", args=[proposal.public_id]))

    assert (response.status_code, response["Location"]) == (302, reverse("projects:dashboard"))
    assert (Proposal.objects.count(), path.exists()) == (0, False)


def test_a_submitted_proposal_cannot_be_deleted(client, researcher):
    proposal = ProposalFactory(owner=researcher, status=ProposalStatus.SUBMITTED, submission_count=1)
    client.force_login(researcher)

    assert client.post(reverse("projects:proposal_delete", args=[proposal.public_id])).status_code == 404
    assert Proposal.objects.count() == 1
