"""A researcher's own proposals through the API: drafts started and changed with a personal write token, checked by
the proposal form (each problem at its field), submitted proposals refused with a sentence, and the matches read
with their explanations."""

import pytest

from leoportal.domain.api_tokens import create_token
from projects.enums import ProposalStatus
from projects.models import Proposal
from tests.partners.factories import CapabilityFactory
from tests.projects.factories import CallFactory, CoInvestigatorFactory, MatchFactory, ProposalFactory

pytestmark = pytest.mark.django_db

PROPOSALS = "/api/v1/proposals"


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def send(client, method, url, secret, body=None):
    return getattr(client, method)(url, body, content_type="application/json", **bearer(secret))


def write_secret(user):
    return create_token(user, name="Notebook", scope="write")[1]


def test_a_write_token_starts_a_draft_with_its_answers(client, researcher):
    call = CallFactory()

    response = send(
        client,
        "post",
        PROPOSALS,
        write_secret(researcher),
        {
            "call": str(call.public_id),
            "title": "Liver organoids",
            "temperature_min_c": 36.5,
            "temperature_max_c": 37.5,
            "co2": True,
        },
    )

    proposal = Proposal.objects.get()
    assert response.status_code == 201
    assert (proposal.owner, proposal.call, proposal.title, proposal.status) == (
        researcher,
        call,
        "Liver organoids",
        ProposalStatus.DRAFT,
    )
    assert (float(proposal.temperature_min_c), proposal.co2) == (36.5, True)
    assert response.json()["answers"]["temperature_min_c"] == 36.5


def test_a_draft_refused_by_the_form_is_not_started(client, researcher):
    call = CallFactory()

    response = send(
        client,
        "post",
        PROPOSALS,
        write_secret(researcher),
        {"call": str(call.public_id), "title": "Too warm", "temperature_min_c": 40, "temperature_max_c": 30},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Nothing was saved: fix the 1 problem below and send it again.",
        "problems": [
            {
                "field": "temperature_min_c",
                "message": "Minimum temperature 40 °C is above the maximum 30 °C: swap them or correct one.",
            }
        ],
    }
    assert Proposal.objects.count() == 0


def test_a_patch_changes_only_the_answers_sent(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True)

    response = send(client, "patch", f"{PROPOSALS}/{proposal.public_id}", write_secret(researcher), {"trl_target": 7})

    proposal.refresh_from_db()
    assert response.status_code == 200
    assert (proposal.trl_target, proposal.trl_current, proposal.summary) == (
        7,
        4,
        "Grow liver organoids for 14 days and return them live.",
    )


def test_problems_are_named_per_field_and_nothing_is_saved(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True)

    response = send(
        client,
        "patch",
        f"{PROPOSALS}/{proposal.public_id}",
        write_secret(researcher),
        {"trl_target": 2, "uei": "short", "colour": "blue", "summary": "Changed"},
    )

    proposal.refresh_from_db()
    assert response.status_code == 422
    assert sorted(problem["field"] for problem in response.json()["problems"]) == ["colour"]
    assert response.json()["problems"][0]["message"] == "“colour” is not an answer of this proposal's form."
    second = send(
        client, "patch", f"{PROPOSALS}/{proposal.public_id}", write_secret(researcher), {"trl_target": 2, "uei": "x1"}
    )
    assert {problem["field"]: problem["message"] for problem in second.json()["problems"]} == {
        "uei": "A UEI is 12 letters and digits, e.g. J7M9HPTGJ1S8 (you entered 2 characters).",
        "trl_target": "Target TRL 2 is below the current TRL 4: the target must be at least the current level.",
    }
    assert (proposal.summary, proposal.trl_target) == ("Grow liver organoids for 14 days and return them live.", 6)


def test_a_submitted_proposal_is_not_edited_through_the_api(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED, submission_count=1)

    response = send(client, "patch", f"{PROPOSALS}/{proposal.public_id}", write_secret(researcher), {"title": "New"})

    proposal.refresh_from_db()
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This proposal is submitted: only a draft (or one sent back for revisions) can be changed, by its "
        "principal investigator or a co-investigator who edits."
    }
    assert proposal.title != "New"


def test_a_stale_version_is_refused_with_who_saved_since(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True)
    co_investigator = CoInvestigatorFactory(proposal=proposal, user=ProposalFactory().owner, access="edit")
    version = client.get(f"{PROPOSALS}/{proposal.public_id}", **bearer(write_secret(researcher))).json()["version"]
    send(client, "patch", f"{PROPOSALS}/{proposal.public_id}", write_secret(co_investigator.user), {"trl_target": 8})

    response = send(
        client,
        "patch",
        f"{PROPOSALS}/{proposal.public_id}",
        write_secret(researcher),
        {"trl_target": 5, "version": version},
    )

    proposal.refresh_from_db()
    assert response.status_code == 409
    assert response.json()["detail"].startswith(f"{co_investigator.user.display_name} saved this proposal at")
    assert proposal.trl_target == 8


def test_a_read_token_or_an_organisation_token_starts_nothing(client, researcher):
    _token, read_secret = create_token(researcher, name="Reader")
    proposal = ProposalFactory(owner=researcher)

    refused = send(client, "post", PROPOSALS, read_secret, {"title": "No"})
    patch = send(client, "patch", f"{PROPOSALS}/{proposal.public_id}", read_secret, {"title": "No"})

    assert (refused.status_code, patch.status_code) == (403, 403)
    assert Proposal.objects.get().title == proposal.title


def test_matches_come_with_their_explanations(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED)
    listing = CapabilityFactory(name="Cell locker")
    MatchFactory(proposal=proposal, capability=listing, rank=1)
    other = ProposalFactory(complete=True, status=ProposalStatus.SUBMITTED)
    _token, secret = create_token(researcher, name="Reader")

    found = client.get(f"{PROPOSALS}/{proposal.public_id}/matches", **bearer(secret)).json()

    assert found["state"] == "stored"
    assert [(m["listing_name"], m["fit"], m["score"]) for m in found["matches"]] == [("Cell locker", "fits", 75.0)]
    assert found["matches"][0]["criteria"] == [
        {"name": "temperature_c", "outcome": "pass", "detail": "Needs 36.5-37.5 °C; holds 4-40 °C."}
    ]
    assert client.get(f"{PROPOSALS}/{other.public_id}/matches", **bearer(secret)).status_code == 404


def test_a_co_investigator_who_only_reads_is_told_so(client, researcher, researcher2):
    proposal = ProposalFactory(owner=researcher)
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access="view")

    response = send(client, "patch", f"{PROPOSALS}/{proposal.public_id}", write_secret(researcher2), {"title": "New"})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You read this proposal but do not edit it: its principal investigator can give you edit access."
    }


def test_a_concept_summary_takes_the_concept_forms_answers_only(client, researcher):
    call = CallFactory(two_stage=True)

    response = send(
        client,
        "post",
        PROPOSALS,
        write_secret(researcher),
        {"call": str(call.public_id), "title": "Concept", "summary": "Organoids in orbit.", "objectives": "More."},
    )

    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"field": "objectives", "message": "“objectives” is not an answer of this proposal's form."}
    ]
    assert Proposal.objects.count() == 0
    started = send(client, "post", PROPOSALS, write_secret(researcher), {"call": str(call.public_id), "title": "C"})
    assert (started.status_code, started.json()["stage"], sorted(started.json()["answers"])) == (
        201,
        "concept",
        ["hardware_unsure", "needs", "organisation", "research_areas", "summary", "title", "why_microgravity"],
    )
