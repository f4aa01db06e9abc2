"""Drafts: start one, save any subset of fields over several sittings, nothing typed is lost."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from projects.domain.proposals import create_draft, save_draft
from projects.enums import Access, ProposalStatus
from projects.exceptions import DraftNotEditable
from projects.models import FLIGHT_REQUIREMENT_FIELDS, CoInvestigator, Proposal, StatusChange
from tests.projects.factories import CallFactory, CoInvestigatorFactory, ProposalFactory
from tests.projects.forms_data import proposal_data
from tests.utils import soup

pytestmark = pytest.mark.django_db


def edit_url(proposal):
    return reverse("projects:proposal_edit", args=[proposal.public_id])


def test_researcher_starts_a_draft_for_a_call(client, researcher):
    call = CallFactory(code="NLRA 2027-1")
    client.force_login(researcher)

    response = client.post(reverse("projects:proposal_start"), {"call": str(call.public_id), "title": "Cartilage"})

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == edit_url(proposal)
    assert (proposal.owner, proposal.call, proposal.title, proposal.status) == (
        researcher,
        call,
        "Cartilage",
        ProposalStatus.DRAFT,
    )
    assert proposal.organisation == researcher.organisation
    assert list(StatusChange.objects.values_list("from_status", "to_status", "changed_by")) == [
        ("", "draft", researcher.pk)
    ]


def test_start_page_preselects_the_call_from_the_call_page(client, researcher):
    call = CallFactory()
    client.force_login(researcher)

    page = soup(client.get(reverse("projects:proposal_start") + f"?call={call.public_id}"))

    assert page.select_one("#id_call option[selected]")["value"] == str(call.public_id)


def test_unsolicited_draft_when_allowed(client, researcher, settings):
    settings.ALLOW_UNSOLICITED_PROPOSALS = True
    client.force_login(researcher)

    client.post(reverse("projects:proposal_start"), {"call": "", "title": ""})

    assert Proposal.objects.get().call is None


def test_unsolicited_draft_refused_when_not_allowed(client, researcher, settings):
    settings.ALLOW_UNSOLICITED_PROPOSALS = False
    client.force_login(researcher)

    response = client.post(reverse("projects:proposal_start"), {"call": "", "title": "x"})

    assert response.status_code == 200
    assert soup(response).select_one("#id_call ~ .invalid-feedback, .invalid-feedback").get_text(strip=True) == (
        "This field is required."
    )
    assert Proposal.objects.count() == 0


def test_a_closed_call_cannot_be_chosen_for_a_new_draft(client, researcher):
    call = CallFactory(closed=True)
    client.force_login(researcher)

    response = client.post(reverse("projects:proposal_start"), {"call": str(call.public_id)})

    assert response.status_code == 200
    assert Proposal.objects.count() == 0


@pytest.mark.parametrize("who", ["provider_user", "staff"])
def test_only_researchers_start_proposals(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("projects:proposal_start")).status_code == 404
    assert client.post(reverse("projects:proposal_start"), {"title": "x"}).status_code == 404
    assert Proposal.objects.count() == 0


def test_save_draft_with_only_a_few_fields(client, researcher):
    proposal = ProposalFactory(owner=researcher)
    client.force_login(researcher)

    response = client.post(
        edit_url(proposal), proposal_data(proposal, title="Liver organoids", duration_days="14", co2="false")
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.duration_days, proposal.co2, proposal.humidity, proposal.summary) == (
        "Liver organoids",
        Decimal("14"),
        False,
        None,
        "",
    )
    assert [str(m) for m in client.get(response["Location"]).context["messages"]] == ["Draft saved."]


def test_draft_keeps_everything_between_visits(client, researcher):
    proposal = ProposalFactory(owner=researcher)
    client.force_login(researcher)
    client.post(
        edit_url(proposal),
        proposal_data(
            proposal,
            title="Liver organoids",
            summary="Grow organoids.",
            temperature_min_c="36.5",
            temperature_max_c="37.5",
            sample_return="true",
            imaging="false",
            needs=["cell_culture_bioreactor", "imaging_microscopy"],
            coi=[{"name": "Kim Lee", "email": "kim@example.edu", "organisation": "GCU", "role": "co_pi"}],
        ),
    )
    client.logout()

    client.force_login(researcher)
    page = soup(client.get(edit_url(proposal)))

    assert page.select_one("#id_title")["value"] == "Liver organoids"
    assert page.select_one("#id_summary").get_text().removeprefix("\n") == "Grow organoids."
    assert (page.select_one("#id_temperature_min_c")["value"], page.select_one("#id_temperature_max_c")["value"]) == (
        "36.5",
        "37.5",
    )
    assert page.select_one('input[name="sample_return"][checked]')["value"] == "true"
    assert page.select_one('input[name="imaging"][checked]')["value"] == "false"
    assert page.select_one('input[name="co2"][checked]')["value"] == "unknown"
    assert sorted(box["value"] for box in page.select('input[name="needs"][checked]')) == [
        "cell_culture_bioreactor",
        "imaging_microscopy",
    ]
    assert page.select_one("#id_coi-0-email")["value"] == "kim@example.edu"


def test_invalid_input_saves_nothing_and_keeps_what_was_typed(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="Before")
    client.force_login(researcher)

    response = client.post(
        edit_url(proposal),
        proposal_data(proposal, title="After", summary="Typed text", temperature_min_c="40", temperature_max_c="37"),
    )

    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("#id_title")["value"] == "After"
    assert page.select_one("#id_summary").get_text().removeprefix("\n") == "Typed text"
    assert page.select_one("#error_1_id_temperature_min_c").get_text(strip=True) == (
        "Minimum temperature 40 °C is above the maximum 37 °C: swap them or correct one."
    )
    assert [a["href"] for a in page.select("#form-errors a")] == ["#id_temperature_min_c"]
    proposal.refresh_from_db()
    assert (proposal.title, proposal.summary) == ("Before", "")


def test_save_draft_reports_exactly_the_changed_fields(researcher):
    proposal = ProposalFactory(owner=researcher, title="T", needs=["3d_bioprinter", "cell_culture_bioreactor"])

    changed = save_draft(
        proposal,
        {
            "title": "T",
            "needs": ["cell_culture_bioreactor", "3d_bioprinter"],  # same set, other order: not a change
            "duration_days": Decimal("21"),
            "sample_return": False,
            "summary": "New",
        },
        researcher,
    )

    assert changed == {"duration_days", "sample_return", "summary"}
    assert changed & set(FLIGHT_REQUIREMENT_FIELDS) == {"duration_days", "sample_return"}
    proposal.refresh_from_db()
    assert (proposal.duration_days, proposal.sample_return, proposal.summary) == (Decimal("21"), False, "New")


def test_save_draft_without_changes_writes_nothing(researcher):
    proposal = ProposalFactory(owner=researcher, title="T")
    before = (proposal.updated_at, proposal.history.count())

    assert save_draft(proposal, {"title": "T"}, researcher) == set()
    proposal.refresh_from_db()
    assert (proposal.updated_at, proposal.history.count()) == before


def test_saving_records_the_change_in_the_history(researcher):
    proposal = ProposalFactory(owner=researcher, title="Before")

    save_draft(proposal, {"title": "After"}, researcher)

    assert list(proposal.history.values_list("title", flat=True)) == ["After", "Before"]


def test_the_form_round_trip_changes_nothing_and_says_the_draft_is_saved(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True)
    client.force_login(researcher)
    form = client.get(edit_url(proposal)).context["form"]
    data = proposal_data(proposal)
    for name, field in form.fields.items():
        value = form[name].value()
        if value in (None, "", False):
            continue
        if name == "call":
            data[name] = str(proposal.call.public_id)
        elif name.startswith("attest_"):
            data[name] = "on"
        elif isinstance(value, list):
            data[name] = value
        else:
            formatted = field.widget.format_value(value)
            data[name] = formatted[0] if isinstance(formatted, list) else formatted

    versions = proposal.history.count()

    response = client.post(edit_url(proposal), data)

    assert [str(m) for m in client.get(response["Location"]).context["messages"]] == ["Draft saved."]
    assert proposal.history.count() == versions  # nothing was written


@pytest.mark.parametrize("status", [ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW, ProposalStatus.ACCEPTED])
def test_a_proposal_in_review_cannot_be_edited(client, researcher, status):
    proposal = ProposalFactory(owner=researcher, status=status, title="Locked")
    client.force_login(researcher)

    get = client.get(edit_url(proposal))
    post = client.post(edit_url(proposal), proposal_data(proposal, title="Changed"))

    assert (get.status_code, get["Location"]) == (302, proposal.get_absolute_url())
    assert post.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Locked"
    with pytest.raises(DraftNotEditable):
        save_draft(proposal, {"title": "Changed"}, researcher)


def test_revisions_requested_is_editable(client, researcher):
    proposal = ProposalFactory(owner=researcher, status=ProposalStatus.REVISIONS_REQUESTED, submission_count=1)
    client.force_login(researcher)

    response = client.post(edit_url(proposal), proposal_data(proposal, title="Revised"))

    assert response.status_code == 302, response.context["form"].errors
    proposal.refresh_from_db()
    assert proposal.title == "Revised"


def test_call_is_locked_once_submitted(client, researcher):
    call = CallFactory()
    proposal = ProposalFactory(
        owner=researcher, call=call, status=ProposalStatus.REVISIONS_REQUESTED, submission_count=1
    )
    client.force_login(researcher)

    client.post(edit_url(proposal), proposal_data(proposal, call=str(CallFactory().public_id)))

    proposal.refresh_from_db()
    assert proposal.call == call


def test_a_co_investigator_with_edit_rights_edits_but_does_not_manage_the_team(client, researcher, researcher2):
    proposal = ProposalFactory(owner=researcher)
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.EDIT, email=researcher2.email)
    client.force_login(researcher2)

    page = soup(client.get(edit_url(proposal)))
    response = client.post(edit_url(proposal), proposal_data(proposal, title="Edited by a co-I"))

    assert page.select_one("input[name='coi-TOTAL_FORMS']") is None
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Edited by a co-I"


def test_a_co_investigator_with_view_rights_is_sent_to_the_proposal_page(client, researcher, researcher2):
    proposal = ProposalFactory(owner=researcher, title="Read only")
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.VIEW, email=researcher2.email)
    client.force_login(researcher2)

    response = client.post(edit_url(proposal), proposal_data(proposal, title="Changed"))

    assert (response.status_code, response["Location"]) == (302, proposal.get_absolute_url())
    proposal.refresh_from_db()
    assert proposal.title == "Read only"


def test_co_investigators_are_added_changed_and_removed(client, researcher):
    proposal = ProposalFactory(owner=researcher)
    kept = CoInvestigatorFactory(proposal=proposal, name="Kept", email="kept@example.edu")
    gone = CoInvestigatorFactory(proposal=proposal, name="Gone", email="gone@example.edu")
    client.force_login(researcher)

    client.post(
        edit_url(proposal),
        proposal_data(
            proposal,
            coi=[
                {
                    "id": str(kept.public_id),
                    "name": "Kept Renamed",
                    "email": "kept@example.edu",
                    "organisation": "",
                    "role": "",
                },
                {
                    "id": str(gone.public_id),
                    "name": "Gone",
                    "email": "gone@example.edu",
                    "organisation": "",
                    "role": "",
                    "DELETE": "on",
                },
                {"name": "New", "email": "new@example.edu", "organisation": "UCSD", "role": "collaborator"},
                {"name": "", "email": "", "organisation": "", "role": ""},
            ],
        ),
    )

    assert list(CoInvestigator.objects.values_list("name", "email", "position")) == [
        ("Kept Renamed", "kept@example.edu", 0),
        ("New", "new@example.edu", 1),
    ]


def test_create_draft_refuses_a_closed_call(researcher):
    from projects.exceptions import CallNotOpen

    with pytest.raises(CallNotOpen, match="closed on"):
        create_draft(researcher, call=CallFactory(closed=True))


def test_a_save_over_someone_elses_newer_save_is_stopped_and_keeps_what_was_typed(client, researcher, researcher2):
    proposal = ProposalFactory(owner=researcher, title="Original")
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.EDIT, email=researcher2.email)
    client.force_login(researcher)
    opened = soup(client.get(edit_url(proposal))).select_one("#id_version")["value"]
    other = Client()
    other.force_login(researcher2)
    other.post(edit_url(proposal), proposal_data(proposal, title="Co-investigator's title", version=opened))

    response = client.post(edit_url(proposal), proposal_data(proposal, title="PI's title", version=opened))

    page = soup(response)
    assert response.status_code == 409
    assert (
        page.select_one(".alert-warning")
        .get_text(" ", strip=True)
        .startswith(f"{researcher2.display_name} saved this proposal at ")
    )
    assert page.select_one("#id_title")["value"] == "PI's title"
    proposal.refresh_from_db()
    assert proposal.title == "Co-investigator's title"

    again = client.post(
        edit_url(proposal), proposal_data(proposal, title="PI's title", version=page.select_one("#id_version")["value"])
    )

    assert again.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "PI's title"


def test_a_failed_submission_does_not_then_look_like_someone_elses_save(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="")
    client.force_login(researcher)
    opened = soup(client.get(edit_url(proposal))).select_one("#id_version")["value"]

    refused = client.post(edit_url(proposal), proposal_data(proposal, action="submit", title="T", version=opened))
    version = soup(refused).select_one("#id_version")["value"]
    saved = client.post(edit_url(proposal), proposal_data(proposal, title="T2", version=version))

    assert (refused.status_code, saved.status_code) == (200, 302)
    proposal.refresh_from_db()
    assert proposal.title == "T2"
