"""The desk's actions, on one proposal and in bulk: status moves (all or nothing), rescoring, CSV export."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.core import mail
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from leoportal.enums import JobState, NotificationKind
from leoportal.models import BackgroundJob, Notification
from projects.domain import csv_export
from projects.domain.queries import attach_desk_figures
from projects.domain.transitions import set_status_of_many
from projects.enums import Fit, ProposalStatus
from projects.models import Match, Proposal, StatusChange
from tests.partners.factories import CapabilityFactory
from tests.projects.factories import CallFactory, MatchFactory, ProposalFactory, ReviewFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

S = ProposalStatus
LIST_URL = reverse("admin:projects_proposal_changelist")


def submitted(owner, title, status=S.SUBMITTED, **values):
    return ProposalFactory(owner=owner, complete=True, status=status, title=title, submission_count=1, **values)


def messages_of(response):
    return [" ".join(m.get_text(" ", strip=True).split()) for m in soup(response).select("ul.messagelist li")]


def run_action(client, action, proposals, **data):
    # From the list of every status: a draft is selectable only where the list shows drafts.
    return client.post(
        f"{LIST_URL}?status__exact=all",
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [p.pk for p in proposals], **data},
        follow=True,
    )


# --- Status moves on the proposal page ------------------------------------------------------------------------


def test_staff_move_one_proposal_with_a_note(client, staff, researcher, django_capture_on_commit_callbacks):
    proposal = submitted(researcher, "Liver organoids")
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:projects_proposal_status", args=[proposal.pk]),
            {"new_status": "screening", "note": "Operations screen next week."},
            follow=True,
        )

    proposal.refresh_from_db()
    assert proposal.status == S.SCREENING
    assert messages_of(response) == ["Moved “Liver organoids” from “Submitted” to “Screening”; the team was notified."]
    change = StatusChange.objects.get(proposal=proposal)
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "submitted",
        "screening",
        staff,
        "Operations screen next week.",
    )
    assert [m.to for m in mail.outbox] == [["researcher@example.org"]]
    assert "Operations screen next week." in mail.outbox[0].body


def test_an_illegal_move_on_the_page_is_refused_and_changes_nothing(client, staff, researcher):
    proposal = submitted(researcher, "Liver organoids")
    client.force_login(staff)

    response = client.post(
        reverse("admin:projects_proposal_status", args=[proposal.pk]), {"new_status": "accepted"}, follow=True
    )

    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED
    assert messages_of(response) == ["Choose one of the statuses offered; the proposal is “Submitted”."]
    assert StatusChange.objects.count() == 0


def test_status_move_needs_post(client, staff, researcher):
    proposal = submitted(researcher, "Liver organoids")
    client.force_login(staff)

    response = client.get(reverse("admin:projects_proposal_status", args=[proposal.pk]))

    assert response.status_code == 405


# --- Bulk status moves ------------------------------------------------------------------------------------------


@pytest.fixture
def three(researcher, researcher2):
    return [
        submitted(researcher, "Liver organoids"),
        submitted(researcher2, "Protein crystals"),
        submitted(researcher, "Bioprinted cartilage"),
    ]


def test_bulk_move_shows_the_intermediate_page_first(client, staff, three):
    client.force_login(staff)

    response = client.post(
        LIST_URL, {"action": "move_status", "index": "0", helpers.ACTION_CHECKBOX_NAME: [p.pk for p in three]}
    )

    page = soup(response)
    assert response.status_code == 200
    assert [o["value"] for o in page.select("select[name=new_status] option")] == [
        "",
        "screening",
        "under_review",
        "revisions_requested",
        "accepted",
        "declined",
    ]
    assert sorted(row.select_one("td").get_text() for row in page.select(".desk-table tbody tr")) == [
        "Bioprinted cartilage",
        "Liver organoids",
        "Protein crystals",
    ]
    assert Proposal.objects.filter(status=S.SUBMITTED).count() == 3


def test_bulk_move_applies_every_move_with_its_side_effects(client, staff, three, django_capture_on_commit_callbacks):
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            client, "move_status", three, new_status="screening", note="Screening round 3.", apply="yes"
        )

    assert messages_of(response) == ["Moved 3 proposals to “Screening”; their teams were notified."]
    assert sorted(Proposal.objects.values_list("title", "status")) == [
        ("Bioprinted cartilage", "screening"),
        ("Liver organoids", "screening"),
        ("Protein crystals", "screening"),
    ]
    assert sorted(StatusChange.objects.values_list("proposal__title", "note", "changed_by")) == [
        ("Bioprinted cartilage", "Screening round 3.", staff.pk),
        ("Liver organoids", "Screening round 3.", staff.pk),
        ("Protein crystals", "Screening round 3.", staff.pk),
    ]
    assert sorted(
        Notification.objects.filter(kind=NotificationKind.STATUS_CHANGE).values_list("recipient__email", "subject")
    ) == [
        ("researcher2@example.org", "“Protein crystals” is in the operations screening"),
        ("researcher@example.org", "“Bioprinted cartilage” is in the operations screening"),
        ("researcher@example.org", "“Liver organoids” is in the operations screening"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "researcher2@example.org",
        "researcher@example.org",
        "researcher@example.org",
    ]


def test_bulk_move_with_one_illegal_move_changes_nothing_and_names_it(
    client, staff, three, researcher, django_capture_on_commit_callbacks
):
    decided = submitted(researcher, "Already accepted", status=S.ACCEPTED)
    draft = ProposalFactory(owner=researcher, title="Still a draft")
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = run_action(
            client, "move_status", [*three, decided, draft], new_status="screening", note="Round 3.", apply="yes"
        )

    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("[data-bulk-refused]").get_text(" ", strip=True) == (
        "Nothing was changed: 2 of the 5 selected proposals cannot move to “Screening” (staff cannot move a proposal "
        "there from “Accepted”, “Draft”): “Already accepted” (Accepted); “Still a draft” (Draft). Leave them out of "
        "the selection, or choose another status."
    )
    assert page.select_one("textarea[name=note]").get_text().strip() == "Round 3."
    assert Proposal.objects.filter(status=S.SCREENING).count() == 0
    assert StatusChange.objects.count() == 0
    assert Notification.objects.count() == 0
    assert (callbacks, mail.outbox) == ([], [])


def test_bulk_move_failing_midway_undoes_the_moves_already_made(staff, three, django_capture_on_commit_callbacks):
    """A move that fails after others were made (here the database refuses the last one's history row, as a lost
    connection or a broken constraint would) leaves every proposal as it was and sends nothing."""
    last = max(three, key=lambda proposal: proposal.pk)  # moved last: moves go in primary-key order
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_history() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.proposal_id = {last.pk} THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; "
            "END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_history BEFORE INSERT ON projects_statuschange "
            "FOR EACH ROW EXECUTE FUNCTION refuse_history()"
        )

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DatabaseError):
        set_status_of_many([p.pk for p in three], S.SCREENING, staff, "Round 3.")

    assert sorted(Proposal.objects.values_list("status", flat=True)) == ["submitted", "submitted", "submitted"]
    assert (StatusChange.objects.count(), Notification.objects.count(), callbacks, mail.outbox) == (0, 0, [], [])


def test_bulk_move_refuses_a_selection_over_the_limit(client, staff, three, settings):
    settings.DESK_BULK_STATUS_MAX = 2
    client.force_login(staff)

    response = run_action(client, "move_status", three, new_status="screening", apply="yes")

    assert messages_of(response) == [
        "Select at most 2 proposals for one status move (3 are selected): narrow the selection with the filters."
    ]
    assert Proposal.objects.filter(status=S.SCREENING).count() == 0


def test_bulk_move_across_every_page(client, staff, three):
    client.force_login(staff)

    response = run_action(
        client, "move_status", three[:1], select_across="1", new_status="screening", note="", apply="yes"
    )

    assert messages_of(response) == ["Moved 3 proposals to “Screening”; their teams were notified."]


def test_bulk_move_without_a_status_asks_for_one(client, staff, three):
    client.force_login(staff)

    response = run_action(client, "move_status", three, new_status="", note="Kept.", apply="yes")

    page = soup(response)
    assert page.select_one(".errors ul.errorlist").get_text(strip=True) == "This field is required."
    assert page.select_one("textarea[name=note]").get_text().strip() == "Kept."


# --- Rescoring --------------------------------------------------------------------------------------------------


def test_rescore_one_proposal_from_its_page(client, staff, researcher, django_capture_on_commit_callbacks):
    proposal = submitted(researcher, "Liver organoids")
    capability = CapabilityFactory(name="Incubator")
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:projects_proposal_rescore", args=[proposal.pk]), follow=True)

    proposal.refresh_from_db()
    assert messages_of(response) == ["Rescoring of “Liver organoids” is queued; reload in a minute."]
    assert list(Match.objects.filter(proposal=proposal).values_list("capability", flat=True)) == [capability.pk]
    assert proposal.matched_at is not None


def test_rescore_of_a_draft_is_refused(client, staff, researcher):
    draft = ProposalFactory(owner=researcher)
    client.force_login(staff)

    response = client.post(reverse("admin:projects_proposal_rescore", args=[draft.pk]), follow=True)

    draft.refresh_from_db()
    assert messages_of(response) == ["Only proposals under consideration are matched; this one is “Draft”."]
    assert draft.match_requested_at is None


def test_bulk_rescore_scores_the_open_ones(client, staff, three, researcher, django_capture_on_commit_callbacks):
    draft = ProposalFactory(owner=researcher, title="Draft")
    CapabilityFactory(name="Incubator")
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, "rescore", [*three, draft])

    assert messages_of(response) == [
        "Rescoring of 3 proposals is queued; the figures update within minutes. 1 proposal not under consideration "
        "(drafts and decided ones) were skipped."
    ]
    assert sorted(Match.objects.values_list("proposal__title", flat=True)) == [
        "Bioprinted cartilage",
        "Liver organoids",
        "Protein crystals",
    ]


# --- CSV export -------------------------------------------------------------------------------------------------


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # spreadsheets need the byte order mark to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_cell_quotes_formula_starts(prefix):
    assert csv_export.safe_cell(f"{prefix}SUM(A1:A9)") == f"'{prefix}SUM(A1:A9)"


@pytest.mark.parametrize("value", ["Liver organoids", "a=b", "", " =padded", 42])
def test_safe_cell_leaves_plain_values(value):
    assert csv_export.safe_cell(value) == str(value)


def test_export_downloads_the_selection_with_formulas_defused(client, staff, researcher, settings):
    call = CallFactory(code="NLRA 2027-1")
    proposal = submitted(
        researcher,
        '=HYPERLINK("http://evil.example","Click")',
        call=call,
        organisation="@Lab",
        research_areas=["organoids", "stem_cells"],
        submitted_at=timezone.now(),
        last_submitted_at=timezone.now(),
    )
    proposal.owner.full_name = "-Ada Lovelace"
    proposal.owner.save()
    MatchFactory(proposal=proposal, rank=1, score=81.26, capability=CapabilityFactory(name="+Incubator"))
    ReviewFactory(proposal=proposal, scientific_merit=5, need_for_microgravity=4, feasibility=4, value=3)
    client.force_login(staff)

    response = client.post(
        LIST_URL, {"action": "export_csv", "index": "0", helpers.ACTION_CHECKBOX_NAME: [proposal.pk]}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="proposals-')
    header, row = read_csv(response.content)
    assert header == list(csv_export.COLUMNS)
    values = dict(zip(header, row, strict=True))
    moment = timezone.localtime(proposal.last_submitted_at).strftime("%Y-%m-%d %H:%M")
    assert values == {
        "public id": str(proposal.public_id),
        "external id": "",
        "title": '\'=HYPERLINK("http://evil.example","Click")',
        "principal investigator": "'-Ada Lovelace",
        "PI e-mail": "researcher@example.org",
        "organisation": "'@Lab",
        "call": "NLRA 2027-1",
        "status": "Submitted",
        "created": timezone.localtime(proposal.created_at).strftime("%Y-%m-%d %H:%M"),
        "first submitted": moment,
        "last submitted": moment,
        "status changed": timezone.localtime(proposal.status_changed_at).strftime("%Y-%m-%d %H:%M"),
        "research areas": "Organoids; Stem cells",
        "hardware needed": "Cell culture / bioreactor",
        "amount requested (USD)": "250000.00",
        "matching funds (USD)": "",
        "best match": "'+Incubator",
        "best match provider": proposal.matches.get().capability.organisation.name,
        "best match score": "81.3",
        "best match fit": "fits",
        "matches that fit": "1",
        "reviews": "1",
        "review average": "4.00",
        "admin page": f"{settings.SITE_URL}/admin/projects/proposal/{proposal.pk}/change/",
    }


def test_export_one_proposal_from_its_page(client, staff, researcher):
    proposal = submitted(researcher, "Liver organoids")
    client.force_login(staff)

    response = client.post(reverse("admin:projects_proposal_export", args=[proposal.pk]))

    rows = read_csv(response.content)
    assert [row[2] for row in rows] == ["title", "Liver organoids"]


def test_export_rows_follow_the_list_order(client, staff, three):
    client.force_login(staff)
    column = admin.site._registry[Proposal].list_display.index("title_or_untitled") + 1

    response = client.post(
        f"{LIST_URL}?o={column}",
        {"action": "export_csv", "index": "0", helpers.ACTION_CHECKBOX_NAME: [p.pk for p in three]},
    )

    assert [row[2] for row in read_csv(response.content)[1:]] == [
        "Bioprinted cartilage",
        "Liver organoids",
        "Protein crystals",
    ]


def test_large_export_runs_in_the_background_and_is_downloaded_from_its_page(
    client, staff, three, settings, django_capture_on_commit_callbacks
):
    settings.DESK_EXPORT_INLINE_MAX = 2
    client.force_login(staff)
    inline = read_csv(client.post(reverse("admin:projects_proposal_export", args=[three[0].pk])).content)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST_URL, {"action": "export_csv", "index": "0", helpers.ACTION_CHECKBOX_NAME: [p.pk for p in three]}
        )

    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert (job.owner, job.label, job.state, job.progress_done, job.progress_total) == (
        staff,
        "CSV export of 3 proposals",
        JobState.DONE,
        3,
        3,
    )
    page = soup(client.get(job.get_absolute_url()))
    link = page.select_one("[data-job-download]")
    assert link.get_text(strip=True).startswith("Download proposals-")
    download = client.get(link["href"])
    rows = read_csv(b"".join(download.streaming_content))
    assert rows[0] == inline[0]
    assert sorted(row[2] for row in rows[1:]) == ["Bioprinted cartilage", "Liver organoids", "Protein crystals"]
    assert [row for row in rows if row[2] == "Liver organoids"] == inline[1:]


def test_actions_are_staff_only(client, researcher, three):
    client.force_login(researcher)

    response = client.post(LIST_URL, {"action": "move_status", helpers.ACTION_CHECKBOX_NAME: [three[0].pk]})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_desk_figures_of_a_proposal_without_matches_that_fit_or_reviews(researcher):
    proposal = submitted(researcher, "Lonely")
    MatchFactory(proposal=proposal, rank=1, fit=Fit.TO_CONFIRM, score=50)

    (loaded,) = attach_desk_figures([proposal])

    assert (loaded.best_score, loaded.fits_total, loaded.review_total, loaded.review_avg) == (50.0, 0, 0, None)


def test_desk_figures_average_every_scored_review(researcher):
    proposal = submitted(researcher, "Reviewed")
    low = {"scientific_merit": 1, "need_for_microgravity": 1, "feasibility": 1, "value": 2}
    ReviewFactory(proposal=proposal, **low)  # 1.25
    ReviewFactory(proposal=proposal, scientific_merit=5, need_for_microgravity=5, feasibility=5, value=4)  # 4.75

    (loaded,) = attach_desk_figures([proposal])

    assert (loaded.review_total, loaded.review_avg) == (2, 3.0)
