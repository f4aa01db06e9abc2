"""Introductions in the browser's pages: who sees what, before and after an introduction and an answer."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.domain.introductions import answer_introduction, introduce_to_provider
from projects.domain.queries import provider_introductions, typical_days_in_status
from projects.enums import IntroductionAnswer, ProposalStatus
from projects.matching.explain import for_provider, group_checks
from projects.models import Attachment, Introduction
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import IntroductionFactory, ProposalFactory
from tests.projects.introduction_fixtures import *  # noqa: F403
from tests.utils import soup

pytestmark = pytest.mark.django_db

NOTE = "ADSEP holds 37 °C with CO₂ and brings samples back: worth a conversation."


def proposal_urls(proposal):
    attachment = Attachment.objects.get(proposal=proposal)
    return [
        reverse("projects:proposal_detail", args=[proposal.public_id]),
        reverse("projects:proposal_edit", args=[proposal.public_id]),
        reverse("projects:attachment_download", args=[proposal.public_id, attachment.public_id]),
    ]


def text_of(response) -> str:
    return soup(response).select_one("main").get_text(" ", strip=True)


# What a provider must never see before the team's consent (interest) or at all on the introduction page.
TEAM_DETAILS = [
    "Ben Lindqvist",
    "researcher2@example.org",
    "Priya Raman",
    "priya.raman@example.edu",
    "J7M9HPTGJ1S8",
    "1ABC2",
    "250,000",
    "Hepatic Trust",
    "liver-narrative.pdf",
    "Compare albumin secretion",
]
PI_CONTACT = ["Ada Okafor", "researcher@example.org", "Midwest Regenerative Medicine Institute"]


def test_a_provider_sees_nothing_of_a_proposal_before_an_introduction(client, submitted, match, provider_user):
    client.force_login(provider_user)

    statuses = [client.get(url).status_code for url in proposal_urls(submitted)]
    dashboard = client.get(reverse("partners:dashboard"))

    assert statuses == [404, 404, 404]
    assert soup(dashboard).select("[data-introductions]") == []
    assert "Liver organoids" not in dashboard.content.decode()
    assert client.get(reverse("projects:introduction_list")).content.decode().count("Liver organoids") == 0


def test_after_an_introduction_the_proposal_pages_stay_closed_to_the_provider(
    client, submitted, match, staff, provider_user
):
    introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    client.force_login(provider_user)

    assert [client.get(url).status_code for url in proposal_urls(submitted)] == [404, 404, 404]
    for name in ("proposal_withdraw", "proposal_delete"):
        assert client.post(reverse(f"projects:{name}", args=[submitted.public_id])).status_code == 404


def test_the_introduction_page_shows_the_summary_only(client, submitted, match, staff, provider_user):
    introduction = introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    client.force_login(provider_user)

    response = client.get(introduction.get_absolute_url())

    page = soup(response)
    text = text_of(response)
    assert response.status_code == 200
    assert page.h1.get_text(strip=True) == "Liver organoids in microgravity"
    assert page.select_one("[data-note]").get_text(strip=True) == NOTE
    assert page.select_one("[data-summary]").get_text(strip=True) == (
        "Grow liver organoids for 14 days on orbit and return them live."
    )
    assert page.select_one("[data-facts=flight] [data-fact=sample_return]").get_text(strip=True) == "Yes"
    assert page.select_one("[data-match-explanation] [data-score]").get_text(strip=True) == f"{match.score:.0f}"
    # Grouped, and addressed to the provider: "the researcher needs ..., you have not stated ...".
    assert [li.get_text(" ", strip=True) for li in page.select("[data-criteria] li")] == [
        f"{check['outcome']} {for_provider(check['detail'])}"
        for _, _, checks in group_checks(match.criteria)
        for check in checks
    ]
    assert page.select_one("[data-match-explanation] [data-match-summary]").get_text(strip=True) == match.summary
    assert [detail for detail in TEAM_DETAILS + PI_CONTACT if detail in text] == []
    assert page.select("[data-contacts-hidden]") != []
    assert page.select("a[href*='/files/']") == []


def test_contacts_are_shared_after_interest(client, submitted, match, staff, provider_user):
    introduction = introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    answer_introduction(introduction, provider_user, interested=True, message="We can fly it in March.")
    client.force_login(provider_user)

    response = client.get(introduction.get_absolute_url())

    contact = soup(response).select_one("[data-pi-contact]")
    assert [dd.get_text(strip=True) for dd in contact.select("dd")] == PI_CONTACT
    # The files are shared too (test below); the rest of the team and the funding stay with the team.
    assert [detail for detail in TEAM_DETAILS if detail in text_of(response)] == ["liver-narrative.pdf"]
    assert [client.get(url).status_code for url in proposal_urls(submitted)] == [404, 404, 404]


def test_the_attachments_open_to_the_provider_after_interest_and_not_before(
    client, submitted, match, staff, provider_user
):
    introduction = introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    attachment = Attachment.objects.get(proposal=submitted)
    url = reverse("projects:introduction_attachment", args=[introduction.public_id, attachment.public_id])
    client.force_login(provider_user)
    before = client.get(url).status_code

    answer_introduction(introduction, provider_user, interested=True)
    page = soup(client.get(introduction.get_absolute_url()))
    response = client.get(url)

    assert before == 404
    assert [(a.get_text(strip=True), a["href"]) for a in page.select("[data-shared-attachments] a")] == [
        ("liver-narrative.pdf", url)
    ]
    assert (response.status_code, response["Content-Disposition"]) == (
        200,
        'attachment; filename="liver-narrative.pdf"',
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_shared_attachments_stay_closed_after_not_interested_and_to_other_organisations(
    client, submitted, match, staff, provider_user, tango, provider_user2
):
    introduction = introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    attachment = Attachment.objects.get(proposal=submitted)
    url = reverse("projects:introduction_attachment", args=[introduction.public_id, attachment.public_id])
    answer_introduction(introduction, provider_user, interested=False)
    client.force_login(provider_user)
    declined = client.get(url).status_code
    Introduction.objects.filter(pk=introduction.pk).update(answer=IntroductionAnswer.INTERESTED)
    client.force_login(provider_user2)

    assert (declined, client.get(url).status_code) == (404, 404)


def test_no_contacts_after_not_interested(client, submitted, match, staff, provider_user):
    introduction = introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    answer_introduction(introduction, provider_user, interested=False)
    client.force_login(provider_user)

    text = text_of(client.get(introduction.get_absolute_url()))

    assert [detail for detail in TEAM_DETAILS + PI_CONTACT if detail in text] == []


def test_the_introduction_page_is_404_for_everyone_outside_the_organisation(
    client, submitted, redwire, tango, staff, provider_user2, researcher, researcher2, outsider
):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    urls = [introduction.get_absolute_url(), reverse("projects:introduction_answer", args=[introduction.public_id])]

    for person in (provider_user2, researcher, researcher2, outsider):
        client.force_login(person)
        assert (person.email, client.get(urls[0]).status_code, client.post(urls[1]).status_code) == (
            person.email,
            404,
            404,
        )
    assert Introduction.objects.get(pk=introduction.pk).answer == ""


def test_the_introduction_page_asks_anonymous_visitors_to_sign_in(client, submitted, redwire, staff):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)

    response = client.get(introduction.get_absolute_url())

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("account_login"))


def test_a_member_answers_interested_on_the_page(client, submitted, redwire, staff, colleague):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    client.force_login(colleague)

    response = client.post(
        reverse("projects:introduction_answer", args=[introduction.public_id]),
        {"answer": "interested", "message": "We can fly it in March."},
    )

    introduction.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, introduction.get_absolute_url())
    assert (introduction.answer, introduction.message, introduction.answered_by) == (
        IntroductionAnswer.INTERESTED,
        "We can fly it in March.",
        colleague,
    )
    page = soup(client.get(introduction.get_absolute_url()))
    assert page.select_one("[data-answered]").get_text(" ", strip=True) == (
        f"Cole Reed answered interested on {introduction.answered_at:%-d %B %Y}."
    )
    assert page.select("form[action$='/answer/']") == []


def test_answering_twice_on_the_page_is_refused(client, submitted, redwire, staff, provider_user, colleague):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    answer_introduction(introduction, colleague, interested=False, message="No capacity.")
    client.force_login(provider_user)

    response = client.post(
        reverse("projects:introduction_answer", args=[introduction.public_id]), {"answer": "interested"}
    )

    introduction.refresh_from_db()
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        f"Cole Reed already answered “not interested” on {introduction.answered_at:%d %B %Y}; an introduction "
        "is answered once."
    ]
    assert (introduction.answer, introduction.message) == (IntroductionAnswer.NOT_INTERESTED, "No capacity.")


def test_an_answer_without_a_choice_is_shown_again_with_the_error(client, submitted, redwire, staff, provider_user):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    client.force_login(provider_user)

    response = client.post(
        reverse("projects:introduction_answer", args=[introduction.public_id]), {"message": "Maybe later"}
    )

    page = soup(response)
    assert response.status_code == 400
    assert page.select_one("#id_message").get_text().removeprefix("\n") == "Maybe later"
    assert "Choose interested or not interested." in page.select_one("#answer").get_text()
    assert Introduction.objects.get(pk=introduction.pk).answer == ""


def answer_fields(response) -> str:
    """The answer form's markup without its CSRF token (a new one on every page)."""
    form = soup(response).select_one("#answer form")
    form.select_one("input[name=csrfmiddlewaretoken]").decompose()
    return str(form)


def test_an_introduction_page_reads_what_it_shows_in_one_query_and_keeps_the_answer_forms_markup(
    client, submitted, match, staff, provider_user, django_assert_num_queries
):
    introduction = introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    client.force_login(provider_user)
    first = client.get(introduction.get_absolute_url())

    # The account, the introduction with its proposal, researcher, provider and answerer, and the digest of the
    # rows the page shows (the page is kept whole: tests/projects/test_kept_introduction.py).
    with django_assert_num_queries(3):
        second = client.get(introduction.get_absolute_url())

    assert any(template.name.startswith("bootstrap5/") for template in first.templates)
    assert not any(template.name.startswith("bootstrap5/") for template in second.templates)
    assert answer_fields(second) == answer_fields(first)
    # The match explanation, the same for every viewer, is kept rendered too.
    assert "projects/_match_explanation.html" in [template.name for template in first.templates]
    assert "projects/_match_explanation.html" not in [template.name for template in second.templates]
    explanation = lambda response: str(soup(response).select_one("[data-match-explanation]"))  # noqa: E731
    assert explanation(second) == explanation(first)
    assert [radio["value"] for radio in soup(second).select("#answer input[name=answer]")] == [
        "interested",
        "not_interested",
    ]


def test_a_changed_match_explanation_shows_at_the_next_visit(client, submitted, match, staff, provider_user):
    introduction = introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    client.force_login(provider_user)
    client.get(introduction.get_absolute_url())

    # Changed without a save (queryset updates), as a data fix would, one value at a time.
    Introduction.objects.filter(pk=introduction.pk).update(summary="Holds 37 °C; no imaging.")
    summary = soup(client.get(introduction.get_absolute_url())).select_one("[data-match-summary]")
    Introduction.objects.filter(pk=introduction.pk).update(score=41.0)
    score = soup(client.get(introduction.get_absolute_url())).select_one("[data-match-explanation] [data-score]")

    assert summary.get_text(strip=True) == "Holds 37 °C; no imaging."
    assert score.get_text(strip=True) == "41"


def test_an_answer_form_with_an_error_is_not_kept_for_the_next_visit(client, submitted, redwire, staff, provider_user):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    client.force_login(provider_user)
    answer = reverse("projects:introduction_answer", args=[introduction.public_id])

    refused = client.post(answer, {"message": "Maybe later"})
    again = client.get(introduction.get_absolute_url())

    assert "Choose interested or not interested." in soup(refused).select_one("#answer").get_text()
    assert "Choose interested or not interested." not in soup(again).select_one("#answer").get_text()
    assert soup(again).select_one("#id_message").get_text().strip() == ""


def test_the_answer_page_is_post_only(client, submitted, redwire, staff, provider_user):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    client.force_login(provider_user)

    response = client.get(reverse("projects:introduction_answer", args=[introduction.public_id]))

    assert response.status_code == 405


# --- The researcher's side ----------------------------------------------------------------------------------------


def test_the_team_sees_the_introduction_waiting(client, submitted, redwire, staff, researcher2):
    introduce_to_provider(submitted, redwire, staff, NOTE)
    client.force_login(researcher2)

    page = soup(client.get(submitted.get_absolute_url()))

    item = page.select_one("#introductions [data-introduction]")
    assert item.select_one("[data-provider]").get_text(strip=True) == "Redwire Space"
    assert item.select_one("[data-answer]")["data-answer"] == "awaiting"
    assert item.select("[data-provider-contact]") == []
    assert NOTE not in page.get_text()


def test_the_team_sees_the_answer_and_the_providers_contacts_after_interest(
    client, submitted, redwire, staff, colleague, researcher
):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    answer_introduction(introduction, colleague, interested=True, message="We can fly it in March.")
    client.force_login(researcher)

    page = soup(client.get(submitted.get_absolute_url()))

    item = page.select_one("#introductions [data-introduction]")
    assert item.select_one("[data-answer]")["data-answer"] == "interested"
    assert item.select_one("[data-answer-message]").get_text(strip=True) == "We can fly it in March."
    assert [dd.get_text(" ", strip=True) for dd in item.select("[data-provider-contact] dd")] == [
        "partnerships@redwire.example",
        "Cole Reed, colleague@redwire.example",
    ]


def test_the_team_sees_no_contacts_after_not_interested(client, submitted, redwire, staff, colleague, researcher):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    answer_introduction(introduction, colleague, interested=False, message="Booked out.")
    client.force_login(researcher)

    page = soup(client.get(submitted.get_absolute_url()))

    item = page.select_one("#introductions [data-introduction]")
    assert item.select_one("[data-answer]")["data-answer"] == "not_interested"
    assert item.select("[data-provider-contact]") == []
    assert "colleague@redwire.example" not in page.get_text()


def test_a_proposal_without_introductions_says_what_happens_next(client, submitted, researcher):
    client.force_login(researcher)

    page = soup(client.get(submitted.get_absolute_url()))

    assert (
        page.select_one("#introductions [data-empty]")
        .get_text(strip=True)
        .startswith("Not introduced to a provider yet.")
    )


def test_the_proposal_page_query_count_does_not_grow_with_introductions(client, researcher, staff):
    typical_days_in_status()  # the stage bar's durations: cached, as between any two visits
    counts = []
    for size in (1, 6):
        proposal = ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED)
        for _ in range(size):
            organisation = OrganisationFactory()
            MembershipFactory(organisation=organisation)
            introduction = IntroductionFactory(proposal=proposal, organisation=organisation, introduced_by=staff)
            answer_introduction(introduction, organisation.memberships.get().user, interested=True)
        client.force_login(researcher)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(proposal.get_absolute_url()).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1]


# --- The provider's lists -----------------------------------------------------------------------------------------


def test_the_dashboard_lists_introductions_awaiting_an_answer_first(client, redwire, tango, staff, provider_user):
    older_waiting = IntroductionFactory(organisation=redwire, introduced_by=staff)
    answered = IntroductionFactory(organisation=redwire, introduced_by=staff)
    answer_introduction(answered, provider_user, interested=True)
    newest_waiting = IntroductionFactory(organisation=redwire, introduced_by=staff)
    IntroductionFactory(organisation=tango, introduced_by=staff)  # another provider's
    client.force_login(provider_user)

    page = soup(client.get(reverse("partners:dashboard")))

    rows = page.select("[data-dashboard-introductions] [data-introduction]")
    assert [(row["data-introduction"], row["data-state"]) for row in rows] == [
        (str(newest_waiting.public_id), "awaiting"),
        (str(older_waiting.public_id), "awaiting"),
        (str(answered.public_id), "interested"),
    ]
    assert page.select_one("[data-awaiting]").get_text(strip=True) == "2 awaiting your answer"


def test_a_provider_without_introductions_is_told_what_happens(client, redwire, provider_user):
    client.force_login(provider_user)

    page = soup(client.get(reverse("partners:dashboard")))

    assert (
        page.select_one("[data-dashboard-introductions] [data-empty]")
        .get_text(strip=True)
        .startswith("No introductions yet.")
    )


def test_the_dashboard_links_to_every_introduction_beyond_the_first_ten(client, redwire, staff, provider_user):
    for _ in range(12):
        IntroductionFactory(organisation=redwire, introduced_by=staff)
    client.force_login(provider_user)

    dashboard = soup(client.get(reverse("partners:dashboard")))
    listing = soup(client.get(reverse("projects:introduction_list")))

    assert len(dashboard.select("[data-introduction]")) == 10
    assert dashboard.select_one(f"a[href='{reverse('projects:introduction_list')}']").get_text(strip=True) == (
        "All 12 introductions"
    )
    assert len(listing.select("[data-introduction]")) == 12


@pytest.mark.parametrize("url_name", ["partners:dashboard", "projects:introduction_list"])
def test_provider_lists_query_count_does_not_grow_with_introductions(client, redwire, staff, provider_user, url_name):
    client.force_login(provider_user)

    def measure(count):
        for _ in range(count):
            introduction = IntroductionFactory(organisation=redwire, introduced_by=staff)
            answer_introduction(introduction, provider_user, interested=True)
        client.get(reverse(url_name))  # warm, as in any running process
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(url_name)).status_code == 200
        return len(captured)

    assert measure(2) == measure(9)


def test_the_introduction_list_is_for_providers(client, researcher, staff):
    client.force_login(researcher)
    assert client.get(reverse("projects:introduction_list")).status_code == 404
    client.force_login(staff)
    response = client.get(reverse("projects:introduction_list"))
    assert (response.status_code, response["Location"]) == (302, reverse("admin:projects_introduction_changelist"))


# --- Staff: the introduce page ------------------------------------------------------------------------------------


def test_the_introduce_page_is_404_for_everyone_but_staff(client, submitted, redwire, researcher, provider_user):
    url = reverse("projects:introduce", args=[submitted.public_id])
    for person in (researcher, provider_user):
        client.force_login(person)
        assert (client.get(url).status_code, client.post(url, {"organisation": "redwire-space"}).status_code) == (
            404,
            404,
        )
    assert Introduction.objects.count() == 0


def test_staff_introduce_from_a_match_row(client, submitted, match, staff, tango, django_capture_on_commit_callbacks):
    client.force_login(staff)
    url = reverse("projects:introduce", args=[submitted.public_id]) + f"?capability={match.capability.public_id}"

    page = soup(client.get(url))
    assert page.select_one("#id_capability option[selected]")["value"] == str(match.capability.public_id)
    assert page.select_one("#id_organisation option[selected]")["value"] == "redwire-space"
    assert [group["label"] for group in page.select("#id_organisation optgroup")] == [
        "Providers of matched facilities",
        "Other verified providers",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"organisation": "redwire-space", "capability": str(match.capability.public_id), "note": NOTE}
        )

    introduction = Introduction.objects.get()
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("admin:projects_proposal_change", args=[submitted.pk]),
    )
    assert (introduction.organisation.slug, introduction.match, introduction.note) == ("redwire-space", match, NOTE)


def test_staff_may_name_only_the_provider(client, submitted, match, staff):
    client.force_login(staff)

    client.post(
        reverse("projects:introduce", args=[submitted.public_id]),
        {"organisation": "redwire-space", "capability": "", "note": NOTE},
    )

    introduction = Introduction.objects.get()
    assert (introduction.match, introduction.facility_name) == (match, "ADSEP")  # its best-ranked match


def test_a_provider_without_a_match_is_introduced_without_an_explanation(client, submitted, match, staff, tango):
    client.force_login(staff)

    client.post(
        reverse("projects:introduce", args=[submitted.public_id]),
        {"organisation": "space-tango", "capability": "", "note": NOTE},
    )

    introduction = Introduction.objects.get()
    assert (introduction.organisation, introduction.match, introduction.criteria) == (tango, None, [])


def test_the_introduce_form_refuses_a_facility_of_another_provider(client, submitted, match, staff, tango):
    client.force_login(staff)

    response = client.post(
        reverse("projects:introduce", args=[submitted.public_id]),
        {"organisation": "space-tango", "capability": str(match.capability.public_id), "note": NOTE},
    )

    page = soup(response)
    assert response.status_code == 400
    assert page.select_one("#id_note").get_text().removeprefix("\n") == NOTE
    assert page.select_one("#error_1_id_capability").get_text(strip=True) == (
        "ADSEP is listed by Redwire Space, not Space Tango: choose one of Space Tango's facilities, or leave the "
        "facility empty."
    )
    assert Introduction.objects.count() == 0


def test_a_refused_introduction_keeps_the_note_and_says_why(client, submitted, redwire, staff):
    introduce_to_provider(submitted, redwire, staff, NOTE)
    client.force_login(staff)

    response = client.post(
        reverse("projects:introduce", args=[submitted.public_id]),
        {"organisation": "redwire-space", "note": "Second try"},
    )

    page = soup(response)
    assert response.status_code == 400
    assert page.select_one("#id_note").get_text().removeprefix("\n") == "Second try"
    assert "was already introduced to Redwire Space" in page.select_one(".alert-danger, .alert-block").get_text()
    assert Introduction.objects.count() == 1


def test_the_introduce_page_offers_every_verified_provider(client, submitted, redwire, staff):
    OrganisationFactory(name="Quiet Orbit")  # verified, no members
    pending = OrganisationFactory(name="Orbital Start", verified=False)
    MembershipFactory(organisation=pending)
    client.force_login(staff)

    page = soup(client.get(reverse("projects:introduce", args=[submitted.public_id])))

    assert [option.get_text() for option in page.select("#id_organisation option")] == [
        "The facility's provider",
        "Quiet Orbit",
        "Redwire Space",
    ]


def test_the_staff_panel_lists_the_introductions(submitted, redwire, tango, staff, provider_user):
    first = introduce_to_provider(submitted, redwire, staff, NOTE)
    answer_introduction(first, provider_user, interested=True, message="Yes please.")
    introduce_to_provider(submitted, tango, staff, "Another option.")
    from projects.domain.queries import proposal_introductions

    html = render_to_string(
        "projects/admin/_introductions.html",
        {"introductions": proposal_introductions(submitted), "original": submitted},
    )

    panel = BeautifulSoup(html, "html.parser")
    rows = panel.select("[data-introduction]")
    assert [row.select("td")[0].a.get_text() for row in rows] == ["Space Tango", "Redwire Space"]
    assert [row.select_one("[data-answer]")["data-answer"] for row in rows] == ["awaiting", "interested"]
    assert panel.select_one("a.btn")["href"] == reverse("projects:introduce", args=[submitted.public_id])
    assert rows[1].select("td")[5].get_text(strip=True) == "Yes please."


def test_the_introduction_admin_is_read_only_and_fast(client, staff, django_assert_num_queries):
    client.force_login(staff)

    def measure(count):
        for _ in range(count):
            IntroductionFactory(introduced_by=staff)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:projects_introduction_changelist")).status_code == 200
        return len(captured)

    assert measure(2) == measure(10)
    introduction = Introduction.objects.first()
    change = client.get(reverse("admin:projects_introduction_change", args=[introduction.pk]))
    assert change.status_code == 200
    assert soup(change).select("input[name=note], textarea[name=note]") == []
    assert client.get(reverse("admin:projects_introduction_add")).status_code == 403


def test_only_staff_see_the_introduce_button_on_the_proposal_page(client, submitted, staff, researcher):
    introduce = reverse("projects:introduce", args=[submitted.public_id])

    client.force_login(staff)
    staff_links = [a["href"] for a in soup(client.get(submitted.get_absolute_url())).select("#introductions a")]
    client.force_login(researcher)
    team_links = [a["href"] for a in soup(client.get(submitted.get_absolute_url())).select("#introductions a")]

    assert (staff_links, team_links) == ([introduce], [])


def test_the_introduce_page_query_count_does_not_grow_with_providers_and_introductions(client, submitted, staff):
    client.force_login(staff)
    url = reverse("projects:introduce", args=[submitted.public_id])

    def measure(count):
        for _ in range(count):
            organisation = OrganisationFactory()
            MembershipFactory(organisation=organisation)
            IntroductionFactory(proposal=submitted, organisation=organisation, introduced_by=staff)
        client.get(url)  # warm, as in any running process
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert measure(2) == measure(12)


def test_a_providers_introductions_read_only_the_columns_their_table_shows(redwire, staff, provider_user):
    answer_introduction(IntroductionFactory(organisation=redwire, introduced_by=staff), provider_user, interested=True)

    (introduction,) = provider_introductions(provider_user)

    # A proposal's texts are most of its row, and the table shows its title alone.
    assert {"summary", "objectives", "why_microgravity", "earth_benefit"} <= introduction.proposal.get_deferred_fields()
    assert "title" not in introduction.proposal.get_deferred_fields()
    assert {"password", "organisation"} <= introduction.answered_by.get_deferred_fields()
    assert "note" in introduction.get_deferred_fields()
