"""Names, titles and other one-line fields refuse line breaks and control characters, and no e-mail fails or gains
a header line because of what someone typed."""

import pytest
from django.core import mail
from django.urls import reverse

from leoportal.domain.emails import build_email
from leoportal.enums import Role
from leoportal.models import User
from leoportal.text import SINGLE_LINE_MESSAGE
from partners.domain import organisations
from partners.models import Organisation
from projects.enums import Access
from tests.factories import ProviderUserFactory, ResearcherFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import CoInvestigatorFactory, ProposalFactory
from tests.utils import form_data, soup

pytestmark = pytest.mark.django_db

INJECTED = "Eve\r\nSubject: Your account is suspended"
HOSTILE_LINES = [INJECTED, "Eve\nBcc: all@example.org", "Eve\tMarchetti", "Eve\x00", "Eve\u2028Marchetti", "\u202eevE"]


def field_errors(response, name) -> list[str]:
    return [e.get_text(" ", strip=True) for e in soup(response).select(f"#id_{name} ~ .invalid-feedback")]


@pytest.mark.parametrize("hostile", HOSTILE_LINES)
def test_sign_up_refuses_a_name_with_control_characters_and_says_why(client, hostile):
    response = client.post(
        reverse("account_signup"),
        {
            "role": Role.RESEARCHER,
            "full_name": hostile,
            "organisation": "Example University\r\nX-Header: 1",
            "email": "eve@example.edu",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )

    # Django adds its own words for the NUL character.
    name_errors = (
        [SINGLE_LINE_MESSAGE, "Null characters are not allowed."] if "\x00" in hostile else [SINGLE_LINE_MESSAGE]
    )
    assert response.status_code == 200
    assert (field_errors(response, "full_name"), field_errors(response, "organisation")) == (
        [" ".join(name_errors)],
        [SINGLE_LINE_MESSAGE],
    )
    assert User.objects.count() == 0


def test_an_organisation_name_with_a_line_break_is_refused(client, provider_user):
    client.force_login(provider_user)

    response = client.post(reverse("partners:organisation_create"), {"name": "Orbital\r\nBio", "country": "US"})

    assert response.status_code == 200
    assert field_errors(response, "name") == [SINGLE_LINE_MESSAGE]
    assert Organisation.objects.count() == 0


def test_a_proposal_title_and_co_investigator_name_with_line_breaks_are_refused(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="Liver organoids")
    client.force_login(researcher)
    url = reverse("projects:proposal_edit", args=[proposal.public_id])
    data = form_data(client.get(url), "#proposal-form")
    data.update({"title": ["Liver\norganoids"], "coi-0-name": ["Colin\r\nCoinvestigator"], "action": ["save"]})

    response = client.post(url, data)

    proposal.refresh_from_db()
    assert (field_errors(response, "title"), field_errors(response, "coi-0-name")) == (
        [SINGLE_LINE_MESSAGE],
        [SINGLE_LINE_MESSAGE],
    )
    assert (proposal.title, proposal.co_investigators.count()) == ("Liver organoids", 0)


def test_inviting_works_for_a_researcher_whose_name_was_saved_with_a_line_break(
    client, django_capture_on_commit_callbacks
):
    # Saved before names were checked: the invitation's subject carries the inviter's name.
    owner = ResearcherFactory(email="eve@example.edu", full_name=INJECTED)
    member = CoInvestigatorFactory(proposal=ProposalFactory(owner=owner), email="colin@example.edu")
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:co_investigator_invite", args=[member.proposal.public_id, member.public_id]),
            {"access": Access.VIEW},
        )

    assert response.status_code == 302
    assert [message.subject for message in mail.outbox] == [
        "[LEO Portal] Eve Subject: Your account is suspended invited you to view a proposal"
    ]


def test_staff_e_mail_gains_no_header_line_from_a_provider_s_name(django_capture_on_commit_callbacks, staff):
    provider = ProviderUserFactory(email="carmen@redwire.example", full_name=INJECTED)

    with django_capture_on_commit_callbacks(execute=True):
        organisations.create_organisation(by=provider, name="Orbital Bio")

    (message,) = mail.outbox
    assert [line for line in message.body.splitlines() if line.startswith("Subject:")] == []
    assert "registered by Eve Subject: Your account is suspended (carmen@redwire.example)" in message.body


def test_an_organisation_name_saved_with_a_line_break_still_sends_its_invitations(
    django_capture_on_commit_callbacks, provider_user
):
    organisation = OrganisationFactory(name="Redwire\r\nBcc: all@example.org")
    MembershipFactory(organisation=organisation, user=provider_user)

    with django_capture_on_commit_callbacks(execute=True):
        organisations.invite_member(organisation, by=provider_user, email="new@redwire.example")

    assert [(message.subject, message.to) for message in mail.outbox] == [
        ("[LEO Portal] Join Redwire Bcc: all@example.org on LEO Portal", ["new@redwire.example"])
    ]


@pytest.mark.parametrize("hostile", HOSTILE_LINES)
def test_building_an_e_mail_never_raises_on_the_text_of_its_subject(hostile):
    message = build_email(subject=f"About {hostile}", text="Body", html=None, to="someone@example.org")

    assert "\n" not in message.message()["Subject"]
    assert message.message()["Subject"].startswith("[LEO Portal] About")
