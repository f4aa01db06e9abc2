"""Co-investigator invitations: e-mailed once, expire, work once, and only for the invited (verified) address."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from leoportal.tasks import sweep_outboxes_task
from projects.domain.invitations import InvitationError, accept, invite, send_invitation_email
from projects.enums import Access, ProposalStatus
from projects.models import CoInvestigator, Invitation
from tests.factories import ResearcherFactory
from tests.projects.factories import CoInvestigatorFactory, ProposalFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(researcher):
    return ProposalFactory(owner=researcher, title="Liver organoids")


@pytest.fixture
def member(proposal, researcher2):
    return CoInvestigatorFactory(proposal=proposal, name="Ben Lindqvist", email=researcher2.email)


def invitation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body).group(1)


def invite_and_send(member, access, by, capture):
    with capture(execute=True):
        invitation = invite(member, access, by)
    return invitation, invitation_link(mail.outbox[-1])


def test_inviting_records_the_invitation_and_e_mails_a_link_once(
    member, researcher, settings, django_capture_on_commit_callbacks
):
    settings.PROPOSAL_INVITATION_DAYS = 7
    settings.SITE_URL = "https://portal.example.org"

    invitation, link = invite_and_send(member, Access.EDIT, researcher, django_capture_on_commit_callbacks)

    invitation.refresh_from_db()
    assert (invitation.email, invitation.access, invitation.invited_by) == (member.email, Access.EDIT, researcher)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert invitation.sent_at is not None and len(invitation.token_hash) == 64
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject == f"[LEO Portal] {researcher.display_name} invited you to view and edit a proposal"
    assert f"https://portal.example.org{link}" in message.body
    assert link.split("/")[2] not in invitation.token_hash  # only the hash is stored
    assert send_invitation_email(invitation.pk) is False  # a retried task sends nothing more
    assert len(mail.outbox) == 1


def test_the_right_account_accepts_and_joins_with_the_invited_rights(
    client, member, researcher, researcher2, django_capture_on_commit_callbacks
):
    _invitation, link = invite_and_send(member, Access.VIEW, researcher, django_capture_on_commit_callbacks)
    client.force_login(researcher2)

    page = soup(client.get(link))
    response = client.post(link)

    assert page.select_one("main form button").get_text(strip=True) == "Accept and join the team"
    assert (response.status_code, response["Location"]) == (302, member.proposal.get_absolute_url())
    member.refresh_from_db()
    assert (member.user, member.access) == (researcher2, Access.VIEW)
    assert client.get(member.proposal.get_absolute_url()).status_code == 200


def test_an_invitation_works_once(client, member, researcher, researcher2, django_capture_on_commit_callbacks):
    _invitation, link = invite_and_send(member, Access.VIEW, researcher, django_capture_on_commit_callbacks)
    client.force_login(researcher2)
    client.post(link)

    again = client.post(link)

    assert again.status_code == 410
    assert (
        soup(again)
        .select_one("[data-invitation-problem]")
        .get_text(strip=True)
        .startswith("This invitation has already been used.")
    )


def test_an_expired_invitation_is_refused(client, member, researcher, researcher2, django_capture_on_commit_callbacks):
    invitation, link = invite_and_send(member, Access.VIEW, researcher, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=8), expires_at=timezone.now() - timedelta(seconds=1)
    )
    client.force_login(researcher2)

    response = client.post(link)

    assert response.status_code == 410
    assert soup(response).select_one("[data-invitation-problem]").get_text(strip=True) == (
        f"This invitation expired. Ask {researcher.display_name} to send you a new one."
    )
    member.refresh_from_db()
    assert member.user is None


def test_the_wrong_account_is_refused_with_a_clear_message(
    client, member, researcher, outsider, django_capture_on_commit_callbacks
):
    _invitation, link = invite_and_send(member, Access.EDIT, researcher, django_capture_on_commit_callbacks)
    client.force_login(outsider)

    response = client.post(link)

    assert response.status_code == 403
    assert soup(response).select_one("[data-invitation-problem]").get_text(strip=True) == (
        f"This invitation was sent to {member.email}, but you are signed in as {outsider.email}. Sign out and sign "
        f"in with {member.email}, or add and verify that address under E-mail addresses."
    )
    member.refresh_from_db()
    assert member.user is None
    assert Invitation.objects.get().accepted_at is None  # still usable by the right person


def test_an_unverified_address_is_not_enough(client, proposal, researcher, django_capture_on_commit_callbacks):
    newcomer = ResearcherFactory(email="newcomer@example.edu", verified=False)
    EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=False, primary=True)
    member = CoInvestigatorFactory(proposal=proposal, email="newcomer@example.edu")
    _invitation, link = invite_and_send(member, Access.VIEW, researcher, django_capture_on_commit_callbacks)
    client.force_login(newcomer)

    response = client.post(link)

    assert response.status_code == 403
    assert soup(response).select_one("[data-invitation-problem]").get_text(strip=True) == (
        "Confirm your e-mail address newcomer@example.edu first (follow the link in the confirmation e-mail we sent "
        "you), then open this invitation again."
    )
    member.refresh_from_db()
    assert member.user is None


def test_a_second_verified_address_of_the_account_is_accepted(proposal, researcher, outsider):
    EmailAddress.objects.create(user=outsider, email="Second@Example.edu", verified=True, primary=False)
    member = CoInvestigatorFactory(proposal=proposal, email="second@example.edu")
    invitation = invite(member, Access.VIEW, researcher)
    send_invitation_email(invitation.pk)

    accept(Invitation.objects.get(pk=invitation.pk), outsider)

    member.refresh_from_db()
    assert member.user == outsider


def test_anonymous_visitors_are_asked_to_sign_in_with_the_invited_address(
    client, member, researcher, django_capture_on_commit_callbacks
):
    _invitation, link = invite_and_send(member, Access.VIEW, researcher, django_capture_on_commit_callbacks)

    page = soup(client.get(link))
    post = client.post(link)

    assert [a["href"] for a in page.select("main a.btn")] == [
        f"{reverse('account_login')}?next={link}",
        f"{reverse('account_signup')}?next={link}",
    ]
    assert (post.status_code, post["Location"]) == (302, f"{reverse('account_login')}?next={link}")


def test_an_unknown_token_is_404(client, researcher2):
    client.force_login(researcher2)

    assert client.get(reverse("projects:invitation", args=["not-a-real-token"])).status_code == 404


def test_inviting_again_replaces_the_earlier_link(
    client, member, researcher, researcher2, django_capture_on_commit_callbacks
):
    first, old_link = invite_and_send(member, Access.VIEW, researcher, django_capture_on_commit_callbacks)
    # Invited again once the pause between two invitations to one address has passed (INVITATION_RESEND_MINUTES).
    Invitation.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(minutes=11))
    _second, new_link = invite_and_send(member, Access.EDIT, researcher, django_capture_on_commit_callbacks)
    client.force_login(researcher2)

    assert client.post(old_link).status_code == 410
    assert client.post(new_link).status_code == 302
    member.refresh_from_db()
    assert member.access == Access.EDIT


def test_edit_rights_let_the_co_investigator_edit(client, member, researcher, researcher2):
    invitation = invite(member, Access.EDIT, researcher)
    accept(invitation, researcher2)
    client.force_login(researcher2)

    response = client.get(reverse("projects:proposal_edit", args=[member.proposal.public_id]))

    assert response.status_code == 200


def test_the_pi_invites_from_the_proposal_page(client, member, researcher, django_capture_on_commit_callbacks):
    client.force_login(researcher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:co_investigator_invite", args=[member.proposal.public_id, member.public_id]),
            {"access": "edit"},
        )

    assert response.status_code == 302
    assert (Invitation.objects.get().access, len(mail.outbox)) == (Access.EDIT, 1)
    page = soup(client.get(member.proposal.get_absolute_url()))
    assert (
        page.select_one(f'[data-member="{member.public_id}"] [data-access-state]')
        .get_text(strip=True)
        .startswith("Invited to view and edit, until ")
    )


def test_only_the_pi_invites(client, member, researcher2, proposal):
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.EDIT, email="r2-row@example.edu")
    client.force_login(researcher2)

    response = client.post(
        reverse("projects:co_investigator_invite", args=[proposal.public_id, member.public_id]), {"access": "edit"}
    )

    assert response.status_code == 404
    assert Invitation.objects.count() == 0


def test_a_co_investigator_without_an_address_cannot_be_invited(proposal, researcher):
    member = CoInvestigatorFactory(proposal=proposal, name="No Mail", email="")

    with pytest.raises(InvitationError, match=r"^Add an e-mail address for No Mail before inviting them\.$"):
        invite(member, Access.VIEW, researcher)


def test_removing_access(client, member, researcher, researcher2):
    accept(invite(member, Access.EDIT, researcher), researcher2)
    client.force_login(researcher)

    client.post(reverse("projects:co_investigator_remove_access", args=[member.proposal.public_id, member.public_id]))

    member.refresh_from_db()
    assert (member.user, member.access) == (None, "")
    client.force_login(researcher2)
    assert client.get(member.proposal.get_absolute_url()).status_code == 404


def test_changing_a_co_investigators_address_voids_the_pending_invitation(client, member, researcher, proposal):
    from tests.projects.forms_data import proposal_data

    invitation = invite(member, Access.VIEW, researcher)
    client.force_login(researcher)

    client.post(
        reverse("projects:proposal_edit", args=[proposal.public_id]),
        proposal_data(
            proposal,
            title=proposal.title,
            coi=[
                {
                    "id": str(member.public_id),
                    "name": member.name,
                    "email": "new@example.edu",
                    "organisation": "",
                    "role": "",
                }
            ],
        ),
    )

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_invitations_that_could_not_be_queued_are_sent_by_the_sweep(
    member, researcher, django_capture_on_commit_callbacks
):
    invitation = invite(member, Access.VIEW, researcher)  # its on_commit never runs: as if the broker were down
    recent = invite(CoInvestigatorFactory(proposal=member.proposal), Access.VIEW, researcher)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    with django_capture_on_commit_callbacks(execute=True):
        queued = sweep_outboxes_task()["projects.invitations"]

    assert queued == 1  # the recent one may still be on its way
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert Invitation.objects.get(pk=recent.pk).sent_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_outboxes_task()["projects.invitations"] == 0


def test_invitations_work_in_any_status(member, researcher, researcher2):
    member.proposal.status = ProposalStatus.UNDER_REVIEW
    member.proposal.save()

    accept(invite(member, Access.VIEW, researcher), researcher2)

    assert CoInvestigator.objects.get(user=researcher2).access == Access.VIEW


@pytest.mark.worker
def test_invitation_e_mail_through_a_real_worker(live_worker, transactional_db, researcher, settings):
    from tests.utils import wait_for

    proposal = ProposalFactory(owner=researcher)
    member = CoInvestigatorFactory(proposal=proposal, email="worker@example.edu")

    invitation = invite(member, Access.VIEW, researcher)

    sent = wait_for(lambda: Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists(), timeout=60)
    assert sent is True
    assert len(Invitation.objects.get(pk=invitation.pk).token_hash) == 64


def test_the_pi_changes_a_joined_co_investigators_access(client, member, researcher, researcher2):
    accept(invite(member, Access.VIEW, researcher), researcher2)
    client.force_login(researcher)

    client.post(
        reverse("projects:co_investigator_change_access", args=[member.proposal.public_id, member.public_id]),
        {"access": "edit"},
    )

    member.refresh_from_db()
    assert member.access == Access.EDIT
    client.force_login(researcher2)
    assert client.get(reverse("projects:proposal_edit", args=[member.proposal.public_id])).status_code == 200


def test_a_joined_co_investigator_is_not_invited_again(member, researcher, researcher2):
    accept(invite(member, Access.VIEW, researcher), researcher2)

    with pytest.raises(InvitationError, match=r"^Ben Lindqvist has already joined; change their access instead\.$"):
        invite(member, Access.EDIT, researcher)


def test_after_access_is_removed_the_team_table_says_so(client, member, researcher, researcher2):
    accept(invite(member, Access.VIEW, researcher), researcher2)
    from projects.domain.invitations import remove_access

    remove_access(member, researcher)
    client.force_login(researcher)

    page = soup(client.get(member.proposal.get_absolute_url()))

    row = page.select_one(f'[data-member="{member.public_id}"]')
    assert row.select_one("[data-access-state]").get_text(strip=True) == "No access"
    assert row.select_one("button[type=submit]").get_text(" ", strip=True) == "Send again Ben Lindqvist"
