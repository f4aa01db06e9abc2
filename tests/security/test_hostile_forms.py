"""Every form of the site under hostile input: random and adversarial values POSTed by a signed-in user.

Whatever is sent, the answer is a page with errors (200, or 400/409 where the view says so) or a redirect after a
real save, never a server error; a refused POST leaves every row of the database as it was; and whatever was
stored comes back escaped on the pages that show it. Each example runs in a savepoint that is rolled back, so
the examples do not see each other's rows.
"""

import os
from dataclasses import dataclass, field

import pytest
from django.contrib.messages import ERROR, get_messages
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.enums import MembershipRole
from projects.enums import ProposalStatus
from tests.factories import PASSWORD, StaffFactory
from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory
from tests.projects.factories import (
    CallFactory,
    CoInvestigatorFactory,
    IntroductionFactory,
    NarrativeFactory,
    ProposalFactory,
)
from tests.security.helpers import changed_tables, database_state, rolled_back
from tests.security.strategies import RAW_MARKERS, SCRIPT, mutated, random_form
from tests.utils import form_data, soup

pytestmark = [pytest.mark.django_db, pytest.mark.broad]

# Twelve examples a form keep the file near a minute; HOSTILE_EXAMPLES=200 makes a deeper search.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))
ACCEPTED_STATUSES = {200, 302, 400, 409}
ESCAPED_SCRIPT = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;"


def assert_escaped(response):
    html = response.content.decode(errors="replace")
    for marker in RAW_MARKERS:
        assert marker not in html, f"unescaped {marker!r} on {response.request['PATH_INFO']}"


@dataclass
class Cast:
    researcher: object
    provider: object
    staff: object
    draft: object
    submitted: object
    under_review: object
    coi: object
    organisation: object
    member: object
    listing: object
    introduction: object


@pytest.fixture
def cast(researcher, provider_user):
    call = CallFactory()
    draft = ProposalFactory(owner=researcher, call=call, complete=True, title="Liver organoids")
    coi = CoInvestigatorFactory(proposal=draft, email="coi@example.edu")
    NarrativeFactory(proposal=draft)
    submitted = ProposalFactory(
        owner=researcher, call=call, complete=True, status=ProposalStatus.SUBMITTED, submission_count=1
    )
    under_review = ProposalFactory(complete=True, status=ProposalStatus.UNDER_REVIEW, submission_count=1)
    organisation = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    member = MembershipFactory(organisation=organisation, role=MembershipRole.MEMBER)
    listing = CapabilityFactory(organisation=organisation, name="BioFabrication Facility")
    introduction = IntroductionFactory(proposal=submitted, organisation=organisation)
    return Cast(
        researcher=researcher,
        provider=provider_user,
        staff=StaffFactory(),
        draft=draft,
        submitted=submitted,
        under_review=under_review,
        coi=coi,
        organisation=organisation,
        member=member,
        listing=listing,
        introduction=introduction,
    )


@dataclass
class FormSpec:
    """One form: who posts it where, the page it is on, what makes it valid, and its free-text fields."""

    user: str | None
    page: object  # cast -> URL of the page with the form
    selector: str = "form[method=post]"
    post: object = None  # cast -> URL posted to (default: the form's action, or the page)
    valid: dict = field(default_factory=dict)
    text_fields: tuple = ()
    shows: tuple = ()  # cast -> URLs (and the user who looks) that show what was saved
    outcome: object = None  # response -> "saved" or "refused", where the status alone does not say


def _proposal_outcome(response):
    """The proposal form saves the draft and then tries to submit it: a refused submission (200) kept the draft."""
    nothing_saved = any("Nothing was saved" in str(message) for message in get_messages(response.wsgi_request))
    return "refused" if nothing_saved or response.status_code == 409 else "saved"


def _admin_change(cast):
    return reverse("admin:projects_proposal_change", args=[cast.under_review.pk])


FORMS = {
    "proposal_start": FormSpec(
        "researcher",
        lambda c: reverse("projects:proposal_start"),
        selector="main form[method=post]",
        valid={"title": "Bone loss"},
        text_fields=("title",),
    ),
    "proposal_draft_save": FormSpec(
        "researcher",
        lambda c: reverse("projects:proposal_edit", args=[c.draft.public_id]),
        selector="#proposal-form",
        valid={"action": "save"},
        text_fields=("title", "summary", "objectives", "organisation", "coi-0-name", "coi-0-organisation"),
        shows=(("researcher", lambda c: c.draft.get_absolute_url()),),
        outcome=_proposal_outcome,
    ),
    "proposal_submit": FormSpec(
        "researcher",
        lambda c: reverse("projects:proposal_edit", args=[c.draft.public_id]),
        selector="#proposal-form",
        valid={"action": "submit"},
        text_fields=("title", "summary", "why_microgravity", "earth_benefit", "matching_funds_sources"),
        shows=(
            ("researcher", lambda c: c.draft.get_absolute_url()),
            ("staff", lambda c: reverse("admin:projects_proposal_change", args=[c.draft.pk])),
        ),
        outcome=_proposal_outcome,
    ),
    "co_investigator_invite": FormSpec(
        "researcher",
        lambda c: c.draft.get_absolute_url(),
        selector="form[action$='/invite/']",
    ),
    "proposal_withdraw": FormSpec(
        "researcher",
        lambda c: c.submitted.get_absolute_url(),
        selector="form[action$='/withdraw/']",
        valid={"note": "Funding fell through."},
        text_fields=("note",),
        shows=(("staff", lambda c: reverse("admin:projects_proposal_change", args=[c.submitted.pk])),),
    ),
    "organisation_create": FormSpec(
        "provider",
        lambda c: reverse("partners:organisation_create"),
        selector="main form[method=post]",
        valid={"name": "Orbital Bio", "website": "https://orbital.example", "contact_email": "ops@orbital.example"},
        text_fields=("name", "description", "country"),
    ),
    "organisation_edit": FormSpec(
        "provider",
        lambda c: reverse("partners:organisation_edit", args=[c.organisation.slug]),
        selector="main form[method=post]",
        text_fields=("description", "country"),
        shows=(
            ("provider", lambda c: c.organisation.get_manage_url()),
            (None, lambda c: c.organisation.get_absolute_url()),
        ),
    ),
    "member_invitation": FormSpec(
        "provider",
        lambda c: c.organisation.get_manage_url(),
        selector="form.invite-form",
        valid={"email": "new.member@example.org", "role": "member"},
    ),
    "member_role": FormSpec(
        "provider",
        lambda c: c.organisation.get_manage_url(),
        selector="form[action*='/members/'][action$='/role/']",
    ),
    "listing_create": FormSpec(
        "provider",
        lambda c: reverse("partners:listing_create", args=[c.organisation.slug]),
        selector="form.capability-form",
        valid={"name": "Cell culture unit", "status": "operational", "categories": ["cell_culture_bioreactor"]},
        text_fields=("name", "description", "platform", "sources_text"),
    ),
    "listing_edit": FormSpec(
        "provider",
        lambda c: reverse("partners:listing_edit", args=[c.listing.public_id]),
        selector="form.capability-form",
        valid={"windows-0-start": "2027-03-01", "windows-0-end": "2027-04-30"},
        text_fields=("name", "description", "platform"),
        shows=(
            ("provider", lambda c: c.listing.get_manage_url()),
            (None, lambda c: c.listing.get_absolute_url()),
            (None, lambda c: reverse("partners:catalogue")),
        ),
    ),
    "introduction_answer": FormSpec(
        "provider",
        lambda c: c.introduction.get_absolute_url(),
        selector="form[action$='/answer/']",
        valid={"answer": "interested", "message": "We can fly it next spring."},
        text_fields=("message",),
        shows=(
            ("provider", lambda c: c.introduction.get_absolute_url()),
            ("researcher", lambda c: c.submitted.get_absolute_url()),
        ),
    ),
    "staff_introduce": FormSpec(
        "staff",
        lambda c: reverse("projects:introduce", args=[c.under_review.public_id]),
        selector="main form[method=post]",
        valid={"organisation": "redwire-space", "note": "Their bioreactor fits."},
        text_fields=("note",),
        shows=(("staff", _admin_change),),
    ),
    "staff_review": FormSpec(
        "staff",
        lambda c: reverse("admin:projects_proposal_review", args=[c.under_review.pk]),
        selector="form[data-review-form]",
        valid={
            "scientific_merit": "4",
            "need_for_microgravity": "3",
            "feasibility": "4",
            "value": "5",
            "operations": "pass",
            "comment": "Clear aims.",
        },
        text_fields=("comment",),
        shows=(("staff", _admin_change),),
    ),
    "staff_conflict": FormSpec(
        "staff",
        lambda c: reverse("admin:projects_proposal_review", args=[c.under_review.pk]),
        selector="form[data-conflict-form]",
        valid={"note": "We share a grant."},
        text_fields=("note",),
        shows=(("staff", _admin_change),),
    ),
    "staff_status_move": FormSpec(
        "staff",
        _admin_change,
        selector="form[data-status-form]",
        valid={"new_status": "revisions_requested", "note": "Add a return plan."},
        text_fields=("note",),
        shows=(("staff", _admin_change),),
    ),
    "staff_call_add": FormSpec(
        "staff",
        lambda c: reverse("admin:projects_call_add"),
        selector="#call_form",
        valid={
            "code": "NLRA 2028-9",
            "title": "Tissue chips",
            "description": "Chips in orbit.",
            "research_areas": ["organoids"],
            "opens_at_0": "2027-01-01",
            "opens_at_1": "00:00:00",
            "closes_at_0": "2027-06-30",
            "closes_at_1": "17:00:00",
            "funding_cap": "250000",
        },
        text_fields=("title", "description"),
        shows=((None, lambda c: reverse("projects:call_list")),),
    ),
    "notification_settings": FormSpec(
        "researcher", lambda c: reverse("notification_settings"), selector="main form[method=post]"
    ),
    "sign_up": FormSpec(
        None,
        lambda c: reverse("account_signup"),
        selector="main form[method=post]",
        valid={
            "role": "researcher",
            "full_name": "New Person",
            "organisation": "Example University",
            "email": "new.person@example.edu",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        text_fields=("full_name", "organisation"),
        shows=(("staff", lambda c: reverse("admin:leoportal_user_changelist")),),
    ),
    "log_in": FormSpec(
        None,
        lambda c: reverse("account_login"),
        selector="main form[method=post]",
        valid={"login": "researcher@example.org", "password": PASSWORD},
    ),
    "password_reset": FormSpec(
        None,
        lambda c: reverse("account_reset_password"),
        selector="main form[method=post]",
        valid={"email": "researcher@example.org"},
    ),
    "password_change": FormSpec(
        "researcher",
        lambda c: reverse("account_change_password"),
        selector="main form[method=post]",
        valid={"oldpassword": PASSWORD, "password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    ),
}


def _browser_post(client, cast, spec) -> tuple[str, dict]:
    """The URL and the data a browser would send from the form as the page shows it, with ``spec.valid``."""
    # An earlier example's sign-in was rolled back in the database; its session, read from Redis, goes with it.
    cache.clear()
    user = getattr(cast, spec.user) if spec.user else None
    if user is not None:
        client.force_login(user)
    page = client.get(spec.page(cast))
    assert page.status_code == 200, spec.page(cast)
    data = {name: values if len(values) > 1 else values[0] for name, values in form_data(page, spec.selector).items()}
    data.pop("csrfmiddlewaretoken", None)
    data.update(spec.valid)
    action = soup(page).select_one(spec.selector).get("action")
    return spec.post(cast) if spec.post else (action or spec.page(cast)), data


def _check_post(client, cast, spec, url, data):
    cache.clear()  # allauth's rate limits live in the cache: each example starts with none used
    with rolled_back():
        before = database_state()
        response = client.post(url, data)
        after = database_state()
        assert response.status_code in ACCEPTED_STATUSES, response.status_code
        assert_escaped(response)
        messages = list(get_messages(response.wsgi_request))
        if spec.outcome is not None:
            refused = spec.outcome(response) == "refused"
        else:
            refused = response.status_code != 302 or any(message.level == ERROR for message in messages)
        if refused:
            assert changed_tables(before, after) == [], "a refused POST changed rows"
            return False, []
        shown_pages = [response.content.decode(errors="replace")]
        pages = ([response["Location"]] if response.status_code == 302 else []) + [
            (who, show(cast)) for who, show in spec.shows
        ]
        for target in pages:
            who, path = (spec.user, target) if isinstance(target, str) else target
            viewer = client.__class__()
            if who:
                viewer.force_login(getattr(cast, who))
            shown = viewer.get(path)
            assert shown.status_code in (200, 302), (path, shown.status_code)
            assert_escaped(shown)
            shown_pages.append(shown.content.decode(errors="replace"))
        return True, shown_pages


@pytest.mark.parametrize("name", list(FORMS))
def test_the_valid_post_with_script_payloads_saves_and_shows_them_escaped(client, cast, name):
    spec = FORMS[name]
    url, data = _browser_post(client, cast, spec)
    for text_field in spec.text_fields:
        data[text_field] = SCRIPT + (" x" if text_field == "name" else "")

    saved, pages = _check_post(client, cast, spec, url, data)

    assert saved is True
    if spec.text_fields:
        assert any(ESCAPED_SCRIPT in page for page in pages), "the saved payload is shown on none of the pages"


# The proposal's submission posts the whole proposal and checks every section: by far the slowest form to fuzz.
SLOW_TO_FUZZ = {"proposal_submit": pytest.mark.slow(seconds=25)}


@pytest.mark.parametrize("name", [pytest.param(name, marks=SLOW_TO_FUZZ.get(name, ())) for name in FORMS])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_hostile_values_never_cause_a_server_error_or_a_partial_save(client, cast, name, data):
    spec = FORMS[name]
    url, base = _browser_post(client, cast, spec)
    names = sorted(base)
    posted = data.draw(st.one_of(mutated(base, names, text_fields=spec.text_fields), random_form(names)))

    _check_post(client, cast, spec, url, posted)
