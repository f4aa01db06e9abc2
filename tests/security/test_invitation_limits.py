"""Invitations e-mail addresses people type: re-sends are spaced, counted per address, and limited per sender a day.

Before the limits, re-sending a co-investigator invitation 8 times sent 8 e-mails within seconds, and an
organisation admin could invite a stranger again and again.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partners.domain import organisations
from partners.domain.organisations import MembershipError
from partners.enums import MembershipRole
from partners.models import Invitation as MemberInvitation
from projects.domain.invitations import InvitationError, invite
from projects.enums import Access
from projects.models import Invitation as ProposalInvitation
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import CoInvestigatorFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(researcher):
    return CoInvestigatorFactory(proposal=ProposalFactory(owner=researcher), email="stranger@example.edu")


@pytest.fixture
def redwire(provider_user):
    organisation = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    return organisation


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def age(model, minutes: float) -> None:
    """Make every invitation of ``model`` older by ``minutes`` (as if time had passed since they were sent)."""
    for invitation in model.objects.all():
        model.objects.filter(pk=invitation.pk).update(created_at=invitation.created_at - timedelta(minutes=minutes))


def test_re_sending_a_co_investigator_invitation_eight_times_sends_one_e_mail(
    client, researcher, member, django_capture_on_commit_callbacks
):
    client.force_login(researcher)
    url = reverse("projects:co_investigator_invite", args=[member.proposal.public_id, member.public_id])

    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(url, {"access": Access.VIEW}) for _ in range(8)]

    assert [message.to for message in mail.outbox] == [["stranger@example.edu"]]
    assert messages_of(answers[1]) == [
        "Invitation sent to stranger@example.edu. The link works once and expires in 7 days.",
        "stranger@example.edu was invited to this proposal less than 10 minutes ago. To spare people repeated "
        "e-mails, invite them again in 10 minutes.",
    ]
    assert ProposalInvitation.objects.count() == 1


def test_a_co_investigator_is_invited_again_after_the_pause(researcher, member):
    invite(member, Access.VIEW, researcher)
    age(ProposalInvitation, 11)

    again = invite(member, Access.EDIT, researcher)

    rows = ProposalInvitation.objects.order_by("created_at").values_list("access", "revoked_at")
    assert [(access, revoked_at is None) for access, revoked_at in rows] == [("view", False), ("edit", True)]
    assert again.access == Access.EDIT


def test_an_address_is_invited_to_a_proposal_at_most_five_times(researcher, member):
    for _ in range(5):
        invite(member, Access.VIEW, researcher)
        age(ProposalInvitation, 11)

    with pytest.raises(InvitationError) as refused:
        invite(member, Access.VIEW, researcher)

    assert str(refused.value) == (
        "stranger@example.edu has been invited to this proposal 5 times, the most the portal sends to one address. "
        "The latest invitation still works until it expires: ask them to look for it (and in their spam folder)."
    )


def test_an_organisation_admin_inviting_a_stranger_five_times_sends_one_e_mail(
    client, provider_user, redwire, django_capture_on_commit_callbacks
):
    client.force_login(provider_user)
    url = reverse("partners:invite", kwargs={"slug": redwire.slug})

    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(url, {"email": "stranger@example.org", "role": "member"}) for _ in range(5)]

    assert [message.to for message in mail.outbox] == [["stranger@example.org"]]
    assert messages_of(answers[1])[1:] == [
        "stranger@example.org was invited to Redwire Space less than 10 minutes ago. To spare people repeated "
        "e-mails, invite them again in 10 minutes."
    ]
    assert MemberInvitation.objects.count() == 1


def test_an_address_is_invited_to_an_organisation_at_most_five_times(provider_user, redwire):
    for _ in range(5):
        organisations.invite_member(redwire, by=provider_user, email="stranger@example.org")
        age(MemberInvitation, 11)

    with pytest.raises(MembershipError) as refused:
        organisations.invite_member(redwire, by=provider_user, email="Stranger@Example.org")

    assert refused.value.message.startswith("stranger@example.org has been invited to Redwire Space 5 times")


def test_one_person_sends_at_most_the_daily_number_of_invitations_of_both_kinds(
    settings, researcher, provider_user, redwire
):
    settings.INVITATIONS_PER_SENDER_PER_DAY = 3
    researcher.role = "provider"  # one person who is both a PI (of an older proposal) and an organisation admin
    researcher.save()
    MembershipFactory(organisation=redwire, user=researcher, role=MembershipRole.ADMIN)
    proposal = ProposalFactory(owner=researcher)
    invite(CoInvestigatorFactory(proposal=proposal, email="a@example.edu"), Access.VIEW, researcher)
    invite(CoInvestigatorFactory(proposal=proposal, email="b@example.edu"), Access.VIEW, researcher)
    organisations.invite_member(redwire, by=researcher, email="c@example.org")
    ProposalInvitation.objects.filter(email="a@example.edu").update(created_at=timezone.now() - timedelta(hours=20))

    with pytest.raises(MembershipError) as refused:
        organisations.invite_member(redwire, by=researcher, email="d@example.org")
    organisations.invite_member(redwire, by=provider_user, email="d@example.org")  # another sender still may

    assert refused.value.message == (
        "You have sent 3 invitations in the last 24 hours, the most one person may send in a day. You can send the "
        "next one in 4 h 00 min."
    )


def test_the_limits_are_settings(settings, researcher, member):
    settings.INVITATION_RESEND_MINUTES = 0
    settings.INVITATIONS_PER_ADDRESS = 2

    invite(member, Access.VIEW, researcher)
    invite(member, Access.VIEW, researcher)
    with pytest.raises(InvitationError) as refused:
        invite(member, Access.VIEW, researcher)

    assert str(refused.value).startswith("stranger@example.edu has been invited to this proposal 2 times")
