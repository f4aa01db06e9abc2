import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from leoportal.domain import outbox
from leoportal.tasks import sweep_outboxes_task
from partners.domain import organisations
from partners.domain.organisations import MembershipError
from partners.enums import MembershipRole
from partners.models import Invitation, Membership
from tests.factories import ProviderUserFactory, ResearcherFactory
from tests.partners.factories import InvitationFactory, MembershipFactory, invitation_link
from tests.utils import soup

pytestmark = pytest.mark.django_db


def invite(client, slug, email, role="member", capture=None):
    return client.post(reverse("partners:invite", kwargs={"slug": slug}), {"email": email, "role": role})


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/provider/invitations/\S+/)", message.body).group(1)


def members(organisation):
    return sorted(organisation.memberships.values_list("user__email", "role"))


# --- Invitations -------------------------------------------------------------------------------------------


def test_admin_invites_by_email_and_the_link_is_sent_once(provider_client, redwire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(provider_client, "redwire-space", "New.Person@Example.org", "admin")

    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert (invitation.email, invitation.role, invitation.state) == ("new.person@example.org", "admin", "pending")
    assert [message.to for message in mail.outbox] == [["new.person@example.org"]]
    assert mail.outbox[0].subject == "[LEO Portal] Join Redwire Space on LEO Portal"
    token = link_in(mail.outbox[0]).split("/")[-2]
    assert organisations.invitation_from_token(token) == invitation
    invitation.refresh_from_db()
    assert invitation.sent_at is not None and token not in invitation.token_hash  # only the token's hash is kept
    assert organisations.send_invitation_email(invitation.pk) is False
    assert len(mail.outbox) == 1


def test_the_invitation_link_is_a_random_token_of_which_only_the_hash_is_kept(redwire, provider_user):
    invitation = organisations.invite_member(redwire, by=provider_user, email="someone@example.org")

    organisations.send_invitation_email(invitation.pk)

    token = link_in(mail.outbox[0]).split("/")[-2]
    invitation.refresh_from_db()
    assert str(invitation.key) not in token and str(invitation.public_id) not in token
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert organisations.invitation_from_token(token) == invitation
    assert organisations.invitation_from_token(token + "x") is None


def test_a_link_e_mailed_before_the_shared_scheme_opens_its_invitation_until_it_expires(redwire, provider_user):
    """Links sent earlier carry the invitation's key, signed: they keep working, and only for such invitations."""
    sent_before = InvitationFactory(organisation=redwire, email="early@example.org", sent_at=timezone.now())
    sent_after = InvitationFactory(organisation=redwire, email="later@example.org", sent_at=timezone.now())
    invitation_link(sent_after)

    def signed(invitation):
        return signing.dumps(str(invitation.key), salt=organisations.LEGACY_INVITATION_SALT, compress=False)

    assert organisations.invitation_from_token(signed(sent_before)) == sent_before
    assert organisations.invitation_from_token(signed(sent_after)) is None
    assert organisations.invitation_from_token(signing.dumps(str(sent_before.key), salt="another")) is None


def test_a_tampered_invitation_link_is_a_404(client):
    response = client.get(reverse("partners:invitation", kwargs={"token": "not-a-real-token"}))

    assert response.status_code == 404


def test_invited_provider_accepts_and_becomes_a_member_with_the_invited_role(client, redwire, provider_user):
    newcomer = ProviderUserFactory(email="newcomer@example.org")
    invitation = organisations.invite_member(redwire, by=provider_user, email="newcomer@example.org", role="admin")
    client.force_login(newcomer)

    response = client.post(invitation_link(invitation))

    invitation.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, redwire.get_manage_url())
    assert members(redwire) == [("newcomer@example.org", "admin"), ("provider@example.org", "admin")]
    assert (invitation.state, invitation.accepted_by) == ("accepted", newcomer)


def test_an_invitation_works_only_once(client, redwire, provider_user):
    newcomer = ProviderUserFactory(email="newcomer@example.org")
    invitation = organisations.invite_member(redwire, by=provider_user, email="newcomer@example.org")
    client.force_login(newcomer)
    client.post(invitation_link(invitation))
    Membership.objects.filter(user=newcomer).delete()

    response = client.post(invitation_link(invitation))

    assert response.status_code == 409
    assert soup(response).select_one("[data-invitation-problem]").get_text(strip=True) == (
        "This invitation has already been used. Ask an administrator of the organisation for a new one."
    )
    assert members(redwire) == [("provider@example.org", "admin")]


def test_an_expired_invitation_is_refused(client, redwire):
    newcomer = ProviderUserFactory(email="newcomer@example.org")
    invitation = InvitationFactory(
        organisation=redwire, email="newcomer@example.org", expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(newcomer)

    page = soup(client.get(invitation_link(invitation)))
    response = client.post(invitation_link(invitation))

    assert page.select_one("[data-invitation-problem]").get_text(strip=True) == (
        "This invitation has expired. Ask an administrator of the organisation to invite you again."
    )
    assert page.select("main form") == []
    assert response.status_code == 409
    assert members(redwire) == [("provider@example.org", "admin")]


def test_an_invitation_accepted_by_the_wrong_account_is_refused(client, redwire, provider_user2):
    invitation = InvitationFactory(organisation=redwire, email="newcomer@example.org")
    client.force_login(provider_user2)

    response = client.post(invitation_link(invitation))

    invitation.refresh_from_db()
    assert response.status_code == 409
    assert soup(response).select_one("[data-invitation-problem]").get_text(strip=True) == (
        "This invitation was sent to newcomer@example.org, but you are signed in as provider2@example.org. Sign in "
        "with the invited address to accept it."
    )
    assert invitation.state == "pending"
    assert members(redwire) == [("provider@example.org", "admin")]


def test_an_invitation_is_accepted_by_a_secondary_verified_address(client, redwire):
    from allauth.account.models import EmailAddress

    newcomer = ProviderUserFactory(email="main@example.org")
    EmailAddress.objects.create(user=newcomer, email="work@example.org", verified=True, primary=False)
    invitation = InvitationFactory(organisation=redwire, email="work@example.org")
    client.force_login(newcomer)

    client.post(invitation_link(invitation))

    assert members(redwire) == [("main@example.org", "member"), ("provider@example.org", "admin")]


def test_an_unverified_secondary_address_does_not_count(redwire):
    from allauth.account.models import EmailAddress

    newcomer = ProviderUserFactory(email="main@example.org")
    EmailAddress.objects.create(user=newcomer, email="work@example.org", verified=False, primary=False)
    invitation = InvitationFactory(organisation=redwire, email="work@example.org")

    with pytest.raises(MembershipError):
        organisations.accept_invitation(invitation, newcomer)


def test_a_researcher_account_cannot_join_a_provider_organisation(client, redwire):
    researcher = ResearcherFactory(email="newcomer@example.org")
    invitation = InvitationFactory(organisation=redwire, email="newcomer@example.org")
    client.force_login(researcher)

    response = client.post(invitation_link(invitation))

    assert soup(response).select_one("[data-invitation-problem]").get_text(strip=True) == (
        "Only provider accounts can join a provider organisation."
    )
    assert members(redwire) == [("provider@example.org", "admin")]


def test_a_revoked_invitation_is_refused(provider_client, redwire):
    invitation = InvitationFactory(organisation=redwire, email="newcomer@example.org")

    provider_client.post(
        reverse("partners:invitation_revoke", kwargs={"slug": "redwire-space", "public_id": invitation.public_id})
    )

    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    with pytest.raises(MembershipError, match="withdrawn"):
        organisations.accept_invitation(invitation, ProviderUserFactory(email="newcomer@example.org"))


def test_inviting_again_replaces_the_pending_invitation(redwire, provider_user):
    first = organisations.invite_member(redwire, by=provider_user, email="newcomer@example.org")
    # Invited again once the pause between two invitations to one address has passed (INVITATION_RESEND_MINUTES).
    Invitation.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(minutes=11))

    second = organisations.invite_member(redwire, by=provider_user, email="NEWCOMER@example.org", role="admin")

    first.refresh_from_db()
    assert (first.state, second.state) == ("revoked", "pending")


def test_inviting_a_member_is_refused(provider_client, redwire, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2)

    response = invite(provider_client, "redwire-space", "provider2@example.org")

    assert Invitation.objects.count() == 0
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["provider2@example.org is already a member of Redwire Space."]


def test_anonymous_visitor_of_an_invitation_is_asked_to_sign_in_with_the_invited_address(client, redwire):
    invitation = InvitationFactory(organisation=redwire, email="newcomer@example.org")
    url = invitation_link(invitation)

    page = soup(client.get(url))
    client.post(url)

    links = [link["href"] for link in page.select("main a.btn")]
    assert links == [
        f"/accounts/login/?next={url.replace(':', '%3A')}",
        f"/accounts/signup/?next={url.replace(':', '%3A')}",
    ]
    assert members(redwire) == [("provider@example.org", "admin")]


def test_dashboard_shows_invitations_addressed_to_the_user(client, redwire, tango, provider_user2):
    invitation = InvitationFactory(organisation=redwire, email="provider2@example.org")
    InvitationFactory(organisation=redwire, email="someone-else@example.org")
    InvitationFactory(organisation=redwire, email="provider2@example.org", revoked_at=timezone.now())
    client.force_login(provider_user2)

    page = soup(client.get(reverse("partners:dashboard")))

    links = [link["href"] for link in page.select("[data-invitations] a")]
    assert links == [reverse("partners:invitation_for_you", args=[invitation.public_id])]


def test_an_invitation_to_one_of_your_addresses_is_answered_from_the_dashboard(client, redwire, provider_user2):
    invitation = InvitationFactory(organisation=redwire, email="provider2@example.org", role=MembershipRole.ADMIN)
    client.force_login(provider_user2)
    url = reverse("partners:invitation_for_you", args=[invitation.public_id])

    page = soup(client.get(url))
    response = client.post(url)

    assert page.select_one("main form button").get_text(strip=True) == "Accept and join Redwire Space"
    assert (response.status_code, response["Location"]) == (302, redwire.get_manage_url())
    assert ("provider2@example.org", "admin") in members(redwire)


def test_an_invitation_to_someone_else_is_a_404_from_the_dashboard_route(client, redwire, provider_user2):
    invitation = InvitationFactory(organisation=redwire, email="someone-else@example.org")
    url = reverse("partners:invitation_for_you", args=[invitation.public_id])
    client.force_login(provider_user2)

    assert (client.get(url).status_code, client.post(url).status_code) == (404, 404)
    assert members(redwire) == [("provider@example.org", "admin")]


def test_a_plain_member_cannot_invite_or_revoke(client, redwire, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2, role=MembershipRole.MEMBER)
    invitation = InvitationFactory(organisation=redwire)
    client.force_login(provider_user2)

    assert invite(client, "redwire-space", "x@example.org").status_code == 404
    revoke = reverse("partners:invitation_revoke", kwargs={"slug": "redwire-space", "public_id": invitation.public_id})
    assert client.post(revoke).status_code == 404
    invitation.refresh_from_db()
    assert (Invitation.objects.count(), invitation.state) == (1, "pending")


# --- Roles, removal, leaving -------------------------------------------------------------------------------


def role_url(membership):
    return reverse(
        "partners:member_role", kwargs={"slug": membership.organisation.slug, "public_id": membership.public_id}
    )


def remove_url(membership):
    return reverse(
        "partners:member_remove", kwargs={"slug": membership.organisation.slug, "public_id": membership.public_id}
    )


def test_admin_changes_a_members_role(provider_client, redwire, provider_user2):
    membership = MembershipFactory(organisation=redwire, user=provider_user2)

    provider_client.post(role_url(membership), {"role": "admin"})

    assert members(redwire) == [("provider2@example.org", "admin"), ("provider@example.org", "admin")]


def test_the_last_admin_cannot_step_down(provider_client, redwire, provider_user):
    own = Membership.objects.get(user=provider_user)

    response = provider_client.post(role_url(own), {"role": "member"})

    assert [str(m) for m in response.wsgi_request._messages] == [
        f"{provider_user.display_name} is the only administrator. Make another member an administrator first."
    ]
    assert members(redwire) == [("provider@example.org", "admin")]


def test_the_last_admin_cannot_leave(provider_client, redwire, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2)

    response = provider_client.post(reverse("partners:leave", kwargs={"slug": "redwire-space"}))

    assert [str(m) for m in response.wsgi_request._messages] == [
        "You are the only administrator, so you cannot leave. Make another member an administrator first."
    ]
    assert members(redwire) == [("provider2@example.org", "member"), ("provider@example.org", "admin")]


def test_the_last_admin_cannot_remove_themselves(provider_client, redwire, provider_user):
    response = provider_client.post(remove_url(Membership.objects.get(user=provider_user)))

    assert response.status_code == 302
    assert members(redwire) == [("provider@example.org", "admin")]


def test_an_admin_leaves_once_another_admin_exists(provider_client, redwire, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2, role=MembershipRole.ADMIN)

    response = provider_client.post(reverse("partners:leave", kwargs={"slug": "redwire-space"}))

    assert (response.status_code, response["Location"]) == (302, reverse("partners:dashboard"))
    assert members(redwire) == [("provider2@example.org", "admin")]


def test_a_member_leaves(client, redwire, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2)
    client.force_login(provider_user2)

    client.post(reverse("partners:leave", kwargs={"slug": "redwire-space"}))

    assert members(redwire) == [("provider@example.org", "admin")]
    assert client.get(redwire.get_manage_url()).status_code == 404


def test_admin_removes_a_member(provider_client, redwire, provider_user2):
    membership = MembershipFactory(organisation=redwire, user=provider_user2)

    provider_client.post(remove_url(membership))

    assert members(redwire) == [("provider@example.org", "admin")]


def test_a_plain_member_cannot_change_roles_or_remove(client, redwire, provider_user, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2)
    admin = Membership.objects.get(user=provider_user)
    client.force_login(provider_user2)

    assert client.post(role_url(admin), {"role": "member"}).status_code == 404
    assert client.post(remove_url(admin)).status_code == 404
    assert members(redwire) == [("provider2@example.org", "member"), ("provider@example.org", "admin")]


def test_admin_of_one_organisation_cannot_touch_members_of_another(provider_client, redwire, tango, provider_user2):
    other = Membership.objects.get(user=provider_user2)
    wrong_org_url = reverse("partners:member_role", kwargs={"slug": "redwire-space", "public_id": other.public_id})

    assert provider_client.post(role_url(other), {"role": "member"}).status_code == 404
    assert provider_client.post(wrong_org_url, {"role": "member"}).status_code == 404
    assert provider_client.post(remove_url(other)).status_code == 404
    assert members(tango) == [("provider2@example.org", "admin")]


def test_a_person_may_belong_to_several_organisations(client, redwire, tango, provider_user2):
    newcomer = ProviderUserFactory(email="newcomer@example.org")
    for organisation, inviter in ((redwire, redwire.memberships.get().user), (tango, provider_user2)):
        invitation = organisations.invite_member(organisation, by=inviter, email="newcomer@example.org")
        organisations.accept_invitation(invitation, newcomer)
    client.force_login(newcomer)

    page = soup(client.get(reverse("partners:dashboard")))

    assert [row.select_one("td").get_text(strip=True) for row in page.select("[data-organisations] tbody tr")] == [
        "Redwire Space",
        "Space Tango",
    ]


def test_membership_actions_need_post(provider_client, redwire, provider_user):
    own = Membership.objects.get(user=provider_user)

    assert provider_client.get(remove_url(own)).status_code == 405
    assert provider_client.get(reverse("partners:leave", kwargs={"slug": "redwire-space"})).status_code == 405
    assert provider_client.get(reverse("partners:invite", kwargs={"slug": "redwire-space"})).status_code == 405


@pytest.mark.worker
def test_a_real_worker_sends_the_invitation_through_redis(live_worker, redwire, provider_user):
    from tests.utils import wait_for

    invitation = organisations.invite_member(redwire, by=provider_user, email="newcomer@example.org")

    sent = wait_for(lambda: Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).first(), timeout=30)
    assert sent.state == "pending"


def test_member_invitations_that_could_not_be_queued_are_sent_by_the_sweep(
    redwire, provider_user, django_capture_on_commit_callbacks
):
    # Made without running their on_commit: as if the broker were down when they were made.
    lost = organisations.invite_member(redwire, by=provider_user, email="lost@orbital.example")
    recent = organisations.invite_member(redwire, by=provider_user, email="recent@orbital.example")
    revoked = organisations.invite_member(redwire, by=provider_user, email="revoked@orbital.example")
    organisations.revoke_invitation(revoked)
    Invitation.objects.filter(pk__in=[lost.pk, revoked.pk]).update(created_at=timezone.now() - timedelta(minutes=10))

    with django_capture_on_commit_callbacks(execute=True):
        queued = sweep_outboxes_task()["partners.invitations"]
    with django_capture_on_commit_callbacks(execute=True):
        again = sweep_outboxes_task()["partners.invitations"]

    assert (queued, again) == (1, 0)
    assert [message.to for message in mail.outbox] == [["lost@orbital.example"]]
    assert Invitation.objects.get(pk=recent.pk).sent_at is None  # its own task may still be on its way


def test_the_outbox_sweep_covers_member_invitations(settings):
    assert "partners.invitations" in outbox.registered()
    assert settings.CELERY_BEAT_SCHEDULE["sweep-outboxes"] == {"task": "leoportal.sweep_outboxes", "schedule": 60.0}
