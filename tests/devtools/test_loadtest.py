"""The load test's own logic, cheaply: its figures, and its preparation and verification on a tiny volume."""

import re

import pytest
from django.urls import reverse

from devtools import loadtest
from devtools.volume import create_volume
from projects.enums import ProposalStatus
from projects.models import Proposal
from scripts.loadtest import figures as f


def quiet(message):
    pass


# --- Figures ---------------------------------------------------------------------------------------------------


def test_percentile_is_the_nearest_rank_of_the_exact_values():
    values = list(range(100, 0, -1))  # 100 .. 1, unsorted on purpose

    assert [f.percentile(values, p) for p in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert [f.percentile([10.0, 40.0, 20.0, 30.0], p) for p in (50, 95)] == [20.0, 40.0]
    assert f.percentile([7.5], 99) == 7.5


def test_percentile_refuses_no_values_and_a_rank_outside_the_range():
    with pytest.raises(ValueError, match="no values"):
        f.percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        f.percentile([1.0], 0)


def sample(kind, started, ms, ok=True, error=""):
    return f.Sample(kind, started, ms, ok, error)


def test_figures_per_kind_and_overall_with_rate_and_errors():
    samples = [
        sample("catalogue", 1000.0, 10.0),
        sample("catalogue", 1001.0, 30.0),
        sample("catalogue", 1002.0, 20.0),
        sample("submit", 1003.0, 200.0, ok=False, error="POST answered 500"),
        sample("submit", 1009.5, 500.0),  # the last request ends at 1010.0: 10 s after the first began
    ]

    result = f.figures(samples)

    assert [(r.kind, r.requests, r.errors, r.p50, r.p95, r.max) for r in result.rows] == [
        ("catalogue", 3, 0, 20.0, 30.0, 30.0),
        ("submit", 2, 1, 200.0, 500.0, 500.0),
        ("all", 5, 1, 30.0, 500.0, 500.0),
    ]
    assert (result.duration_s, result.rps) == (10.0, 0.5)
    assert result.errors == {"submit: POST answered 500": 1}
    assert f.report(result).splitlines()[-2:] == [
        "requests: 5 in 10.0 s, 0.5 per second; p50 30 ms, p95 500 ms, p99 500 ms; errors: 1",
        "  error x1: submit: POST answered 500",
    ]


def test_no_samples_is_an_error_not_empty_figures():
    with pytest.raises(ValueError, match="recorded no requests"):
        f.figures([])


def test_samples_survive_the_csv_and_the_command_reports_the_steady_window(tmp_path, capsys):
    samples = [sample("sign in", 100.0, 700.0), sample("listing", 130.0, 8.0), sample("listing", 131.0, 12.0)]
    path = tmp_path / "samples.csv"
    f.write_samples(samples, path)

    assert f.read_samples(path) == samples
    assert f.main([str(path), "--steady-from", "120", "--json", str(tmp_path / "figures.json")]) == 0
    printed = capsys.readouterr().out
    whole, steady = printed.split("Once every user was running")
    assert re.search(r"^sign in\s+1\s+0\s+700\s+700\s+700\s+700$", whole, re.MULTILINE)
    assert "sign in" not in steady
    assert "requests: 2 in 1.0 s, 2.0 per second; p50 8 ms, p95 12 ms, p99 12 ms; errors: 0" in steady


# --- Preparation and verification ------------------------------------------------------------------------------


@pytest.fixture
def plan(db):
    create_volume(24, 12, seed=5, log=quiet)
    return loadtest.prepare(users=2, drafts=2, log=quiet)


def sign_in(client, account):
    response = client.post(reverse("account_login"), {"login": account["email"], "password": account["password"]})
    assert (response.status_code, response.url) == (302, reverse("dashboard"))


def submit_through_the_form(client, plan, public_id):
    """What the load generator does: open the form, post the complete proposal with "Submit"."""
    page = client.get(reverse("projects:proposal_edit", args=[public_id])).content.decode()
    version = re.search(r'name="version" value="([^"]*)"', page).group(1)
    data = dict(plan["form"], action="submit", version=version, title="Submitted under load")
    data.update({"coi-TOTAL_FORMS": "0", "coi-INITIAL_FORMS": "0", "coi-MIN_NUM_FORMS": "0", "coi-MAX_NUM_FORMS": "30"})
    return client.post(reverse("projects:proposal_edit", args=[public_id]), data)


def test_prepared_accounts_sign_in_and_their_drafts_submit_and_are_scored(
    client, plan, django_capture_on_commit_callbacks
):
    account = plan["accounts"][0]
    sign_in(client, account)
    public_id = account["drafts"][0]

    with django_capture_on_commit_callbacks(execute=True):  # the scoring task runs eagerly once it commits
        response = submit_through_the_form(client, plan, public_id)

    assert (response.status_code, response.url) == (302, reverse("projects:proposal_detail", args=[public_id]))
    result = loadtest.verify([public_id], timeout_s=0)
    assert (result.made, result.saved, result.scored, result.unexpected, result.ok) == (1, 1, 1, 0, True)
    assert result.line().startswith("submissions: 1 made, 1 saved, 1 scored (waited")


def test_plan_gives_each_account_its_own_proposals_a_scratch_draft_and_complete_drafts(plan):
    first, second = plan["accounts"]
    owned = set(Proposal.objects.filter(owner__email=first["email"]).values_list("public_id", flat=True))

    assert (len(first["drafts"]), len(second["drafts"])) == (2, 2)
    assert {str(p) for p in owned} == {*first["proposals"], first["scratch"], *first["drafts"]}
    assert set(first["proposals"]).isdisjoint(second["proposals"])


def test_verify_counts_a_submission_not_yet_scored_and_one_nobody_reported(client, plan):
    account = plan["accounts"][1]
    sign_in(client, account)
    reported, unreported = account["drafts"]
    submit_through_the_form(client, plan, reported)
    submit_through_the_form(client, plan, unreported)
    Proposal.objects.filter(public_id=reported).update(matched_at=None)

    result = loadtest.verify([reported], timeout_s=0)

    assert (result.made, result.saved, result.scored, result.unexpected, result.ok) == (1, 1, 0, 1, False)


def test_preparing_again_replaces_the_earlier_drafts_and_submissions(client, plan):
    account = plan["accounts"][0]
    sign_in(client, account)
    submit_through_the_form(client, plan, account["drafts"][0])

    again = loadtest.prepare(users=2, drafts=2, log=quiet)

    made = Proposal.objects.filter(external_id__startswith=loadtest.EXTERNAL_PREFIX)
    assert (made.count(), made.filter(status=ProposalStatus.DRAFT).count()) == (6, 6)
    assert not Proposal.objects.filter(public_id=account["drafts"][0]).exists()
    assert again["accounts"][0]["proposals"] == account["proposals"]
