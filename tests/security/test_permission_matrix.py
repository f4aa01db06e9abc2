"""The permission matrix: every URL pattern of the site, requested by every kind of visitor, with the exact answer.

The patterns come from the URL resolver, so a new view without a row here fails
``test_every_url_pattern_has_a_row``. Each response is also searched for the canaries of tests/security/world.py:
private text of objects the visitor may not read must appear in no page, JSON answer, file or header.

Actors, in the order of every row: anonymous; the proposal's owner (PI); a co-investigator with view access;
another researcher; a member of Orbital Labs, to whom staff introduced the proposal; a member of Stellar Bio,
which matched the proposal but was not introduced (and is another organisation than Orbital's); program staff.
Then four reviewers on the call's panel (tests/security/world.py REVIEWERS): assigned the proposal, not assigned,
unassigned after reviewing, and with a declared conflict. They answer as another researcher does, except where
REVIEWER_ROWS says otherwise.
"""

import re
from collections import Counter

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.enums import IntroductionAnswer, ProposalStatus
from projects.models import Introduction, Proposal
from tests.leoportal.test_admin_entries import make
from tests.projects.factories import CoInvestigatorFactory
from tests.security.urlmap import arguments, site_patterns
from tests.security.world import ACTORS, CANARIES, REVIEWERS, build_world
from tests.utils import soup

pytestmark = [pytest.mark.django_db, pytest.mark.broad]

LOGIN = "login"  # 302 to the login page, with ?next= back to the page
ADMIN_LOGIN = "admin login"  # 302 to the admin's login page


def to(prefix: str) -> str:
    """A 302 to a page whose address starts with ``prefix``."""
    return f"-> {prefix}"


PROPOSAL = "/proposals/"
ORBITAL = "/provider/organisations/orbital-labs/"
#  Every non-admin pattern, as seen with GET:
#   anonymous, owner, co-investigator, other researcher, introduced provider, not introduced provider, staff
SITE = {
    "home": (200, 200, 200, 200, 200, 200, 200),
    "dashboard": (LOGIN, to(PROPOSAL), to(PROPOSAL), to(PROPOSAL), to("/provider/"), to("/provider/"), to("/admin/")),
    # No worker runs in this world, so /healthz says so (503), the same to everyone.
    "healthz": (503, 503, 503, 503, 503, 503, 503),
    "favicon.ico": (301, 301, 301, 301, 301, 301, 301),
    "notifications": (LOGIN, 200, 200, 200, 200, 200, 200),
    "notification_open": (LOGIN, 405, 405, 405, 405, 405, 405),
    "notifications_read_all": (LOGIN, 405, 405, 405, 405, 405, 405),
    "notification_settings": (LOGIN, 200, 200, 200, 200, 200, 200),
    "job_detail": (LOGIN, 404, 404, 404, 404, 404, 200),
    "job_status": (LOGIN, 404, 404, 404, 404, 404, 200),
    "job_download": (LOGIN, 404, 404, 404, 404, 404, 200),
    # Accounts (django-allauth). Signed-in people are sent on from the login and sign-up pages.
    "account_login": (200, *[to("/dashboard/")] * 6),
    "account_logout": (to("/"), 200, 200, 200, 200, 200, 200),
    "account_inactive": (200,) * 7,
    "account_signup": (200, *[to("/dashboard/")] * 6),
    "account_reauthenticate": (LOGIN, 200, 200, 200, 200, 200, 200),
    "account_email": (LOGIN, 200, 200, 200, 200, 200, 200),
    "account_email_verification_sent": (200,) * 7,
    "account_change_password": (LOGIN, 200, 200, 200, 200, 200, 200),
    "account_set_password": (LOGIN, *[to("/accounts/password/change/")] * 6),
    "account_reset_password": (200,) * 7,
    "account_confirm_login_code": (to("/accounts/login/"), *[to("/dashboard/")] * 6),
    "account_confirm_email": (200,) * 7,
    "account_reset_password_from_key_done": (200,) * 7,
    "account_reset_password_from_key": (200,) * 7,
    "account_reset_password_done": (200,) * 7,
    # Second factors (allauth MFA). Changing one asks for the password again first; force_login signed nobody in
    # with a password, so those pages send everyone to it. The staff member's authenticator app is theirs alone.
    "mfa_index": (LOGIN, *[200] * 6),
    "mfa_authenticate": (to("/accounts/login/"), *[to("/dashboard/")] * 6),
    "mfa_reauthenticate": (LOGIN, *[to("/accounts/reauthenticate/")] * 5, 200),
    "mfa_activate_totp": (LOGIN, *[to("/accounts/reauthenticate/?next=")] * 6),
    "mfa_deactivate_totp": (LOGIN, *[404] * 5, to("/accounts/reauthenticate/?next=")),
    "mfa_view_recovery_codes": (LOGIN, *[404] * 6),
    "mfa_generate_recovery_codes": (LOGIN, *[to("/accounts/reauthenticate/?next=")] * 6),
    "mfa_download_recovery_codes": (LOGIN, *[404] * 6),
    "mfa_list_webauthn": (LOGIN, *[200] * 6),
    "mfa_add_webauthn": (LOGIN, *[to("/accounts/reauthenticate/?next=")] * 6),
    "mfa_reauthenticate_webauthn": (LOGIN, *[to("/accounts/reauthenticate/")] * 6),
    "mfa_remove_webauthn": (LOGIN, *[to("/accounts/reauthenticate/?next=")] * 6),
    "mfa_edit_webauthn": (LOGIN, *[to("/accounts/reauthenticate/?next=")] * 6),
    # Researchers' side. A submitted proposal is no longer editable: its edit page sends the team to the proposal.
    "projects:call_list": (200,) * 7,
    "projects:call_detail": (200,) * 7,
    "projects:dashboard": (LOGIN, 200, 200, 200, 200, 200, 200),
    "projects:proposal_start": (LOGIN, 200, 200, 200, 404, 404, 404),
    "projects:proposal_detail": (LOGIN, 200, 200, 404, 404, 404, 200),
    "projects:proposal_edit": (LOGIN, to(PROPOSAL), to(PROPOSAL), 404, 404, 404, to(PROPOSAL)),
    "projects:proposal_withdraw": (LOGIN, 405, 405, 405, 405, 405, 405),
    "projects:proposal_delete": (LOGIN, 405, 405, 405, 405, 405, 405),
    "projects:attachment_upload": (LOGIN, 405, 405, 405, 405, 405, 405),
    "projects:attachment_download": (LOGIN, 200, 200, 404, 404, 404, 200),
    "projects:attachment_delete": (LOGIN, 405, 405, 405, 405, 405, 405),
    "projects:co_investigator_invite": (LOGIN, 405, 405, 405, 405, 405, 405),
    "projects:co_investigator_change_access": (LOGIN, 405, 405, 405, 405, 405, 405),
    "projects:co_investigator_remove_access": (LOGIN, 405, 405, 405, 405, 405, 405),
    # Introductions: staff introduce; only the introduced organisation's members read what was sent to them.
    "projects:introduce": (LOGIN, 404, 404, 404, 404, 404, 200),
    "projects:introduction_list": (LOGIN, 404, 404, 404, 200, 200, to("/admin/projects/introduction/")),
    # Researchers ask staff for an introduction (one without a submitted proposal is told to submit one first).
    "projects:ask": (LOGIN, 200, 200, 200, 404, 404, 404),
    # Calendars: the calls' deadlines are public; a person's feed is read by whoever holds its secret address.
    "projects:calls_calendar": (200,) * 7,
    "projects:call_calendar": (200,) * 7,
    "projects:personal_calendar": (200,) * 7,
    "projects:personal_calendar_reset": (LOGIN, 405, 405, 405, 405, 405, 405),
    # The account's calendar page: each person's own address (made and reset by POST to the row above).
    "projects:calendar": (LOGIN, *[200] * 6),
    # Only ever posted to: a GET is refused before anything is looked up.
    "projects:proposal_autosave": (LOGIN, *[405] * 6),
    "projects:proposal_reopen": (LOGIN, *[405] * 6),
    "projects:proposal_versions": (LOGIN, 200, 200, 404, 404, 404, 200),
    "projects:version_file": (LOGIN, 200, 200, 404, 404, 404, 200),
    "projects:introduction": (LOGIN, 404, 404, 404, 200, 404, 200),
    "projects:introduction_answer": (LOGIN, 405, 405, 405, 405, 405, 405),
    # The proposal's files open to the provider once it answers interested (this one has not answered yet).
    "projects:introduction_attachment": (LOGIN, 404, 404, 404, 404, 404, 404),
    # A co-investigator's invitation link: signed-in people with another address are told it is not theirs.
    "projects:invitation": (200, 403, 403, 403, 403, 403, 403),
    # Reviewing: a reviewer's list, and a proposal with its files only while assigned (staff reach every one).
    "projects:review_list": (LOGIN, 200, 200, 200, 200, 200, 200),
    "projects:review_proposal": (LOGIN, 404, 404, 404, 404, 404, 200),
    "projects:review_conflict": (LOGIN, 405, 405, 405, 405, 405, 405),
    "projects:review_attachment": (LOGIN, 404, 404, 404, 404, 404, 200),
    # A reviewer invitation sent to another address: staff are told panels are for outside experts.
    "projects:reviewer_invitation": (200, 403, 403, 403, 403, 403, 403),
    # The decision outbox and its drafts: program staff only (the team reads a decision once staff send it).
    "projects:decision_outbox": (LOGIN, 404, 404, 404, 404, 404, 200),
    "projects:decision_email": (LOGIN, 404, 404, 404, 404, 404, 200),
    # Providers' side and the public catalogue. Staff manage organisations in the admin, not on these pages.
    "partners:catalogue": (200,) * 7,
    "partners:capability": (200,) * 7,
    "partners:provider": (200,) * 7,
    # Comparing needs two ticked listings: without them everyone is told so.
    "partners:compare": (400,) * 7,
    "partners:dashboard": (LOGIN, 404, 404, 404, 200, 200, to("/admin/")),
    "partners:organisation_create": (LOGIN, 404, 404, 404, 200, 200, 404),
    "partners:organisation": (LOGIN, 404, 404, 404, 200, 404, 404),
    "partners:organisation_edit": (LOGIN, 404, 404, 404, 200, 404, 404),
    "partners:leave": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners:invite": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners:invitation_revoke": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners:member_role": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners:member_remove": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners:listing_create": (LOGIN, 404, 404, 404, 200, 404, 404),
    "partners:import_upload": (LOGIN, 404, 404, 404, 200, 404, 404),
    "partners:import_preview": (LOGIN, 404, 404, 404, to("/jobs/"), 404, 404),
    "partners:import_confirm": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners:import_job": (LOGIN, 404, 404, 404, to("/jobs/"), 404, 404),
    "partners:export": (LOGIN, 404, 404, 404, 200, 404, 404),
    "partners:listing": (LOGIN, 404, 404, 404, 200, 404, 404),
    "partners:listing_edit": (LOGIN, 404, 404, 404, 200, 404, 404),
    "partners:listing_publish": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners:listing_unpublish": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners:listing_confirm": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners:listing_delete": (LOGIN, 404, 404, 404, 200, 404, 404),
    "partners:invitation": (200,) * 7,
    # The invitation was sent to an address none of these accounts holds: its dashboard route is a 404 to them all.
    "partners:invitation_for_you": (LOGIN, 404, 404, 404, 404, 404, 404),
    # An organisation's webhooks: its members see them (only its administrators change them); everyone else a 404.
    "webhooks:endpoints": (LOGIN, 404, 404, 404, 200, 404, 404),
    "webhooks:endpoint": (LOGIN, 404, 404, 404, 200, 404, 404),
    "webhooks:test": (LOGIN, 405, 405, 405, 405, 405, 405),
    "webhooks:rotate": (LOGIN, 405, 405, 405, 405, 405, 405),
    "webhooks:enable": (LOGIN, 405, 405, 405, 405, 405, 405),
    "webhooks:delete": (LOGIN, 405, 405, 405, 405, 405, 405),
    # The public API reads the public catalogue only: the same answer for everyone.
    "api_docs": (200,) * 7,
    "api-1:openapi-json": (200,) * 7,
    "api-1:listings": (200,) * 7,
    "api-1:listing": (200,) * 7,
    "api-1:api-root": (404,) * 7,
    # Proposals in the API need a token: a signed-in browser session is not one.
    "api-1:proposals": (401,) * 7,
    "api_tokens": (LOGIN, *[200] * 6),
    "api_token_revoke": (LOGIN, *[405] * 6),
    "api-1:proposal": (401,) * 7,
    # Everything past the catalogue takes a Bearer token only: a signed-in browser is 401 like anyone without one
    # (tests/security/test_permission_matrix_api.py holds the tokens' matrix). Posted-only paths refuse a GET.
    "api-1:proposals_create": (401,) * 7,
    "api-1:proposal_update": (401,) * 7,
    "api-1:proposal_matches": (401,) * 7,
    "api-1:own_listings": (401,) * 7,
    "api-1:own_listings_create": (401,) * 7,
    "api-1:own_listing": (401,) * 7,
    "api-1:own_listing_update": (401,) * 7,
    "api-1:own_listing_delete": (401,) * 7,
    "api-1:own_listing_publish": (405,) * 7,
    "api-1:own_listing_unpublish": (405,) * 7,
    "api-1:introductions": (401,) * 7,
    "api-1:introduction": (401,) * 7,
    "api-1:introduction_answer": (405,) * 7,
    # An organisation's tokens: its administrators' page.
    "organisation_api_tokens": (LOGIN, 404, 404, 404, 200, 404, 404),
    "organisation_api_token_revoke": (LOGIN, *[405] * 6),
}

# The reviewers' answers (assigned, unassigned, unassigned after reviewing, conflict) where they differ from another
# researcher's. Reviewers never reach the admin (test_the_admin_answers_staff_only_and_every_admin_page_opens).
REVIEWER_ROWS = {
    "dashboard": (to("/reviews/"),) * 4,
    "projects:proposal_start": (404,) * 4,
    "projects:review_proposal": (200, 404, 404, 404),
    "projects:review_attachment": (200, 404, 404, 404),
    # The proposal's versions, their files and differences: only while assigned (never after, nor with a conflict).
    "projects:proposal_versions": (200, 404, 404, 404),
    "projects:version_file": (200, 404, 404, 404),
    # Researchers ask for introductions; reviewers are not researchers.
    "projects:ask": (404,) * 4,
    # Whatever they reviewed, reviewers never reach the decisions' e-mails.
    "projects:decision_outbox": (404,) * 4,
    "projects:decision_email": (404,) * 4,
}
REVIEWER_POSTS = {
    # The assigned reviewer may review (the feature's tests show it); a post with no scores is refused, unsaved.
    "projects:review_proposal": (400, 404, 404, 404),
    "projects:review_conflict": (None, 404, 404, 404),
    "projects:ask": (404,) * 4,
    "projects:decision_outbox": (404,) * 4,
    "projects:decision_email": (404,) * 4,
}


def reviewer_row(key: str, rows: dict, refused: bool = False) -> tuple:
    if key in (REVIEWER_POSTS if refused else REVIEWER_ROWS):
        return (REVIEWER_POSTS if refused else REVIEWER_ROWS)[key]
    return (rows[key][ACTORS.index("other_researcher")],) * len(REVIEWERS)


# Who may change what: POST as each actor. None: the actor may do it (shown by the feature's own tests, not here).
# Everything else is a refusal, and after all of them nothing in the database has changed.
REFUSED_POSTS = {
    "notification_open": (LOGIN, None, 404, 404, 404, 404, 404),
    "projects:proposal_withdraw": (LOGIN, None, 404, 404, 404, 404, 404),
    "projects:proposal_delete": (LOGIN, 404, 404, 404, 404, 404, 404),
    # The proposal is submitted: its files are fixed; the team is told so, others get a 404.
    "projects:attachment_upload": (LOGIN, to(PROPOSAL), to(PROPOSAL), 404, 404, 404, to(PROPOSAL)),
    "projects:attachment_delete": (LOGIN, to(PROPOSAL), to(PROPOSAL), 404, 404, 404, to(PROPOSAL)),
    "projects:co_investigator_invite": (LOGIN, None, 404, 404, 404, 404, 404),
    "projects:co_investigator_change_access": (LOGIN, None, 404, 404, 404, 404, 404),
    "projects:co_investigator_remove_access": (LOGIN, None, 404, 404, 404, 404, 404),
    "projects:proposal_edit": (LOGIN, to(PROPOSAL), to(PROPOSAL), 404, 404, 404, to(PROPOSAL)),
    "projects:introduce": (LOGIN, 404, 404, 404, 404, 404, 400),
    # A token needs a name; only its holder revokes it.
    "api_tokens": (LOGIN, *[400] * 6),
    "api_token_revoke": (LOGIN, None, 404, 404, 404, 404, 404),
    # A token needs a name; the token in the address is not Orbital's, so even its administrator gets a 404.
    "organisation_api_tokens": (LOGIN, 404, 404, 404, 400, 404, 404),
    "organisation_api_token_revoke": (LOGIN, 404, 404, 404, 404, 404, 404),
    # An empty request is refused with what to write; the other researcher has no proposal to ask for.
    "projects:ask": (LOGIN, 400, 400, 400, 404, 404, 404),
    # Staff read what the provider was sent, but only the provider answers.
    "projects:introduction_answer": (LOGIN, 404, 404, 404, None, 404, to("/introductions/")),
    "projects:invitation": (LOGIN, 403, 403, 403, 403, 403, 403),
    "projects:review_proposal": (LOGIN, 404, 404, 404, 404, 404, 400),
    "projects:review_conflict": (LOGIN, 404, 404, 404, 404, 404, None),
    "projects:reviewer_invitation": (LOGIN, 403, 403, 403, 403, 403, 403),
    # Staff send drafts (the feature's tests); an empty edit of a draft is refused with what to fill in.
    "projects:decision_outbox": (LOGIN, 404, 404, 404, 404, 404, None),
    "projects:decision_email": (LOGIN, 404, 404, 404, 404, 404, 400),
    "partners:organisation_edit": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:leave": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:invite": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:invitation_revoke": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:member_role": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:member_remove": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:listing_create": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:import_upload": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:import_confirm": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:listing_edit": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:listing_publish": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:listing_unpublish": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:listing_confirm": (LOGIN, 404, 404, 404, None, 404, 404),
    "partners:listing_delete": (LOGIN, 404, 404, 404, None, 404, 404),
    "webhooks:endpoints": (LOGIN, 404, 404, 404, None, 404, 404),
    "webhooks:test": (LOGIN, 404, 404, 404, None, 404, 404),
    "webhooks:rotate": (LOGIN, 404, 404, 404, None, 404, 404),
    "webhooks:enable": (LOGIN, 404, 404, 404, None, 404, 404),
    "webhooks:delete": (LOGIN, 404, 404, 404, None, 404, 404),
    # The organisation invitation was sent to another address than any of these accounts': nobody can accept it.
    "partners:invitation": (200, 409, 409, 409, 409, 409, 409),
    "partners:invitation_for_you": (LOGIN, 404, 404, 404, 404, 404, 404),
    "admin:projects_proposal_status": (ADMIN_LOGIN, *[ADMIN_LOGIN] * 5, None),
    "admin:projects_proposal_rescore": (ADMIN_LOGIN, *[ADMIN_LOGIN] * 5, None),
    "admin:projects_proposal_review": (ADMIN_LOGIN, *[ADMIN_LOGIN] * 5, None),
    # The world's proposal is submitted, not accepted: staff are told no flight can be recorded yet.
    "admin:projects_introduction_flight": (ADMIN_LOGIN, *[ADMIN_LOGIN] * 5, 400),
    # A post that says nothing to do shows the panel page again.
    "admin:projects_call_panel": (ADMIN_LOGIN, *[ADMIN_LOGIN] * 5, 200),
    # An empty decision or address is refused with what to fill in.
    "admin:projects_introductionrequest_decide": (ADMIN_LOGIN, *[ADMIN_LOGIN] * 5, 400),
    "admin:partners_organisation_invite_contact": (ADMIN_LOGIN, *[ADMIN_LOGIN] * 5, 400),
}

# The staff side of the admin. Per model, staff list, open and see the history of every row; these they may also
# add or delete (the rest are written by the site itself and are read-only in the admin).
ADMIN_ADDABLE = {
    "projects.call",
    "projects.decisiontemplate",
    "projects.precedent",
    "projects.reviewround",
    "partners.organisation",
    "partners.membership",
    "partners.capability",
}
ADMIN_DELETABLE = ADMIN_ADDABLE | {"partners.invitation", "partners.capabilityupload"}
ADMIN_SPECIAL = {
    "admin:index": 200,
    "admin:login": to("/admin/"),
    "admin:logout": 405,
    "admin:password_change": 200,
    "admin:password_change_done": 200,
    "admin:autocomplete": 403,
    "admin:jsi18n": 200,
    "admin:view_on_site": to(f"http://testserver{PROPOSAL}"),
    # Only superusers set someone's password in the admin; people reset their own.
    "admin:auth_user_password_change": 403,
    "admin:app_list": 200,
    "admin/(?P<url>.*)$": 404,
    "admin:projects_proposal_dashboard": 200,
    "admin:projects_proposal_status": 405,
    "admin:projects_proposal_rescore": 405,
    "admin:projects_proposal_review": 200,
    "admin:projects_proposal_export": 405,
    "admin:projects_introduction_flight": 200,
    "admin:projects_call_panel": 200,
    "admin:projects_introductionrequest_decide": 200,
    "admin:partners_organisation_invite_contact": 200,
}
MODEL_VIEWS = ("changelist", "add", "change", "history", "delete")


def clients(world, **options):
    signed_in = {}
    for actor in (*ACTORS, *REVIEWERS):
        client = Client(**options)
        if world.users[actor]:
            client.force_login(world.users[actor])
        signed_in[actor] = client
    return signed_in


def outcome(response) -> object:
    """The answer in the matrix's terms: a status, LOGIN, ADMIN_LOGIN or ``to(prefix)``."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/accounts/login/?next="):
            return LOGIN
        if location.startswith("/admin/login/?next="):
            return ADMIN_LOGIN
        return to(location)
    return response.status_code


def matches(expected, actual) -> bool:
    if isinstance(expected, str) and expected.startswith("-> ") and isinstance(actual, str):
        return actual.startswith(expected)
    return expected == actual


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + content.decode("utf-8", errors="replace")


# An invitation link is a secret sent to one address: whoever holds it is told what it is for and to whom it was
# sent (so that someone signed in with another account knows which one to use), and nothing more.
LINK_HOLDER_SEES = {
    "projects:invitation": {"Canary liver organoid title", "canary-invited@example.edu"},
    "projects:reviewer_invitation": {"canary-reviewer-invitee@example.edu"},
    "partners:invitation": {"canary-invitee@orbital.example"},
    # A personal calendar's address is a secret its owner gives to a calendar app: it lists their proposals'
    # deadlines by title, and its owner resets it from My proposals when it has leaked.
    "projects:personal_calendar": {"Canary liver organoid title"},
}


def leaks(world, actor, response, key) -> list[str]:
    text = body(response)
    allowed = LINK_HOLDER_SEES.get(key, set())
    return [canary for canary in world.forbidden_canaries(actor) if canary in text and canary not in allowed]


def site_url(world, key, route, named) -> str:
    if not named:
        return "/" + route
    return reverse(key, kwargs=arguments(world).get(key, {}))


def model_admin_urls(world):
    """(key, url, staff's expected answer) for every per-model admin pattern, each pointed at a real row."""
    staff = world.users["staff"]
    rows = {
        "account.emailaddress": lambda: world.users["owner"].emailaddress_set.get(),
    }
    for model in admin.site._registry:
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        row = rows[label]() if label in rows else make(label, staff)
        info = (model._meta.app_label, model._meta.model_name)
        change = reverse("admin:{}_{}_change".format(*info), args=[row.pk])
        yield f"admin:{info[0]}_{info[1]}_changelist", reverse("admin:{}_{}_changelist".format(*info)), 200
        yield (
            f"admin:{info[0]}_{info[1]}_add",
            reverse("admin:{}_{}_add".format(*info)),
            200 if label in ADMIN_ADDABLE else 403,
        )
        yield f"admin:{info[0]}_{info[1]}_change", change, 200
        yield f"admin:{info[0]}_{info[1]}_history", reverse("admin:{}_{}_history".format(*info), args=[row.pk]), 200
        yield (
            f"admin:{info[0]}_{info[1]}_delete",
            reverse("admin:{}_{}_delete".format(*info), args=[row.pk]),
            200 if label in ADMIN_DELETABLE else 403,
        )
        if hasattr(row, "history"):
            name = f"admin:{info[0]}_{info[1]}_simple_history"
            yield name, reverse(name, args=[row.pk, row.history.latest().history_id]), 200
        # The bare object address (admin/<app>/<model>/<id>/) sends staff on to the change page.
        yield f"admin/{info[0]}/{info[1]}/<path:object_id>/", change.removesuffix("change/"), to(change)


def special_admin_urls(world):
    proposal = world.objects["proposal"]
    content_type = ContentType.objects.get_for_model(proposal)
    urls = {
        "admin:app_list": reverse("admin:app_list", kwargs={"app_label": "projects"}),
        "admin:view_on_site": reverse("admin:view_on_site", args=[content_type.pk, proposal.pk]),
        "admin/(?P<url>.*)$": "/admin/no-such-page/",
    }
    urls["admin:auth_user_password_change"] = reverse("admin:auth_user_password_change", args=[proposal.owner.pk])
    for key in ("status", "rescore", "review", "export"):
        name = f"admin:projects_proposal_{key}"
        urls[name] = reverse(name, args=[proposal.pk])
    urls["admin:projects_call_panel"] = reverse("admin:projects_call_panel", args=[world.objects["call"].pk])
    urls["admin:projects_introduction_flight"] = reverse(
        "admin:projects_introduction_flight", args=[world.objects["introduction"].pk]
    )
    urls["admin:projects_introductionrequest_decide"] = reverse(
        "admin:projects_introductionrequest_decide", args=[world.objects["introduction_request"].pk]
    )
    urls["admin:partners_organisation_invite_contact"] = reverse(
        "admin:partners_organisation_invite_contact", args=[world.objects["orbital"].pk]
    )
    for key, expected in ADMIN_SPECIAL.items():
        yield key, urls.get(key) or reverse(key), expected


def admin_urls(world):
    return [*model_admin_urls(world), *special_admin_urls(world)]


def database_state() -> Counter:
    """Every row of the site's own tables (and e-mail addresses), except read marks and login times."""
    ignored = {"read_at", "last_login"}
    state = Counter()
    for label in ("leoportal", "projects", "partners", "webhooks", "account"):
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ignored]
            state.update((model._meta.label, repr(row)) for row in model.objects.values_list(*fields))
    return state


def test_every_url_pattern_has_a_row():
    world_free_admin = set(ADMIN_SPECIAL) | {
        f"admin:{m._meta.app_label}_{m._meta.model_name}_{view}" for m in admin.site._registry for view in MODEL_VIEWS
    }
    world_free_admin |= {
        f"admin/{m._meta.app_label}/{m._meta.model_name}/<path:object_id>/" for m in admin.site._registry
    }
    world_free_admin |= {
        f"admin:{m._meta.app_label}_{m._meta.model_name}_simple_history"
        for m in admin.site._registry
        if hasattr(m, "history")
    }
    patterns = {key for key, route, named in site_patterns()}

    missing = sorted(patterns - set(SITE) - world_free_admin)
    assert missing == [], f"add a row to the matrix for {missing}"
    assert sorted((set(SITE) | world_free_admin) - patterns) == []


def test_every_page_answers_each_visitor_as_the_matrix_says_and_leaks_nothing():
    world = build_world()
    visitors = clients(world)
    before = database_state()
    wrong, leaked = [], []

    for key, route, named in site_patterns():
        if route.startswith("admin/"):
            continue
        url = site_url(world, key, route, named)
        row = (*SITE[key], *reviewer_row(key, SITE))
        for actor, expected in zip((*ACTORS, *REVIEWERS), row, strict=True):
            response = visitors[actor].get(url)
            if not matches(expected, outcome(response)):
                wrong.append((key, actor, expected, outcome(response)))
            leaked += [(key, actor, canary) for canary in leaks(world, actor, response, key)]

    assert wrong == [], "\n".join(map(str, wrong))
    assert leaked == [], "\n".join(map(str, leaked))
    assert database_state() == before, "a GET request changed the database"


def test_the_admin_answers_staff_only_and_every_admin_page_opens():
    world = build_world()
    visitors = clients(world)
    wrong, leaked = [], []

    for key, url, staff_expects in admin_urls(world):
        for actor, client in visitors.items():
            response = client.get(url)
            if actor == "staff":
                expected = staff_expects
            elif key == "admin:login":
                # The admin has no sign-in of its own: visitors go to the site's, others are told it is for staff.
                expected = LOGIN if actor == "anonymous" else 403
            elif key == "admin:logout":
                expected = to("/admin/")
            else:
                expected = ADMIN_LOGIN
            if not matches(expected, outcome(response)):
                wrong.append((key, actor, expected, outcome(response)))
            leaked += [(key, actor, canary) for canary in leaks(world, actor, response, key)]

    assert wrong == [], "\n".join(map(str, wrong))
    assert leaked == [], "\n".join(map(str, leaked))


def test_refused_changes_change_nothing():
    world = build_world()
    visitors = clients(world)
    urls = {key: site_url(world, key, route, named) for key, route, named in site_patterns() if key in SITE}
    urls.update({key: url for key, url, _ in special_admin_urls(world)})
    before = database_state()
    wrong, leaked = [], []

    for key, actors_row in REFUSED_POSTS.items():
        if key.startswith("admin:"):
            row = (*actors_row, *[ADMIN_LOGIN] * len(REVIEWERS))
        else:
            row = (*actors_row, *reviewer_row(key, REFUSED_POSTS, refused=True))
        for actor, expected in zip((*ACTORS, *REVIEWERS), row, strict=True):
            if expected is None:
                continue
            response = visitors[actor].post(urls[key], {"title": "Changed", "access": "edit", "answer": "interested"})
            if not matches(expected, outcome(response)):
                wrong.append((key, actor, expected, outcome(response)))
            leaked += [(key, actor, canary) for canary in leaks(world, actor, response, key)]

    assert wrong == [], "\n".join(map(str, wrong))
    assert leaked == [], "\n".join(map(str, leaked))
    assert database_state() == before


def test_every_post_without_a_csrf_token_is_refused():
    world = build_world()
    strict = clients(world, enforce_csrf_checks=True)
    urls = [
        (key, site_url(world, key, route, named), "owner")
        for key, route, named in site_patterns()
        if not route.startswith("admin/")
    ]
    urls += [(key, url, "staff") for key, url, _ in admin_urls(world)]
    before = database_state()

    answers = {(key, actor): strict[actor].post(url, {"title": "Changed"}).status_code for key, url, actor in urls}

    # The API takes no cookies: a POST without a Bearer token is 401, or 405 where the path has no POST.
    refused = {401, 403, 405}
    api_answers = {key: status for key, status in answers.items() if key[0].startswith("api-1:")}
    assert {key: status for key, status in api_answers.items() if status not in refused} == {}
    assert {key: status for key, status in answers.items() if status != 403 and key not in api_answers} == {}
    assert database_state() == before


def test_the_canaries_are_really_in_the_pages_of_those_allowed_to_read_them():
    """The leak checks above would pass on empty pages: the canaries must show where they belong."""
    world = build_world()
    visitors = clients(world)
    o = world.objects
    pages = {
        "owner": reverse("projects:proposal_detail", args=[o["proposal"].public_id]),
        "introduced": reverse("projects:introduction", args=[o["introduction"].public_id]),
        "staff": reverse("admin:projects_proposal_change", args=[o["proposal"].pk]),
        "reviewer_assigned": reverse("projects:review_proposal", args=[o["proposal"].public_id]),
    }
    seen = {}
    for actor, url in pages.items():
        text = body(visitors[actor].get(url))
        seen[actor] = sorted(c for group in ("proposal_shared", "proposal_team") for c in CANARIES[group] if c in text)

    team = sorted(CANARIES["proposal_shared"] + CANARIES["proposal_team"])
    assert seen == {
        "owner": [canary for canary in team if canary != "canary-pi@example.edu"],  # their own address
        "introduced": sorted(CANARIES["proposal_shared"]),
        "staff": team,
        # The PI is shown by name; the team's requests to staff are not part of the proposal a reviewer reads.
        "reviewer_assigned": [c for c in team if c not in ("canary-pi@example.edu", "Canary request to meet Stellar")],
    }


@pytest.mark.parametrize("closing", [ProposalStatus.WITHDRAWN, ProposalStatus.DECLINED])
def test_closing_a_proposal_ends_what_the_introduced_provider_sees(closing):
    world = build_world()
    provider = clients(world)["introduced"]
    o = world.objects
    Introduction.objects.filter(pk=o["introduction"].pk).update(
        answer=IntroductionAnswer.INTERESTED, answered_by=world.users["introduced"], answered_at=timezone.now()
    )
    page = reverse("projects:introduction", args=[o["introduction"].public_id])
    file = reverse("projects:introduction_attachment", args=[o["introduction"].public_id, o["narrative"].public_id])
    shared = (provider.get(file).status_code, "canary-pi@example.edu" in body(provider.get(page)))

    Proposal.objects.filter(pk=o["proposal"].pk).update(status=closing)
    closed_page = provider.get(page)

    assert shared == (200, True)
    assert (provider.get(file).status_code, closed_page.status_code) == (404, 200)
    assert "canary-pi@example.edu" not in body(closed_page)
    assert "canary-narrative.pdf" not in body(closed_page)
    assert (
        soup(closed_page)
        .select_one("[data-withdrawn]")
        .get_text(" ", strip=True)
        .endswith("Its contacts and files are no longer shared with Orbital Labs.")
    )


# Fields that hold numbers which are not row ids: formset counts, the draft's version, the page's index, a review's
# scores from 1 to 5.
COUNTERS = re.compile(
    r"(TOTAL_FORMS|INITIAL_FORMS|MIN_NUM_FORMS|MAX_NUM_FORMS|version|index"
    r"|scientific_merit|need_for_microgravity|feasibility|value)$"
)


@pytest.mark.slow(seconds=30)
def test_no_form_of_the_site_carries_a_database_id():
    """Every page each visitor can open: no form field holds a row's database id (they would reveal counts)."""
    world = build_world()
    visitors = clients(world)
    pages = [
        (key, site_url(world, key, route, named), actor)
        for key, route, named in site_patterns()
        if named and not route.startswith("admin/")
        for actor in (*ACTORS, *REVIEWERS)
    ]
    # The world's proposal is submitted (its form is closed): the owner's draft shows the form with the team rows.
    pages.append(("draft form", reverse("projects:proposal_edit", args=[world.objects["draft"].public_id]), "owner"))
    found = []
    for key, url, actor in pages:
        response = visitors[actor].get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for field in soup(response).select("form input[name]"):
            value = field.get("value", "")
            if value.isdigit() and not COUNTERS.search(field["name"]) and field.get("type") != "number":
                found.append((key, actor, field["name"], value))

    assert found == []


def test_the_team_rows_of_the_proposal_form_carry_public_ids_only():
    world = build_world()
    owner = clients(world)["owner"]
    draft = world.objects["draft"]
    member = CoInvestigatorFactory(proposal=draft, name="Colin Coinvestigator")

    page = soup(owner.get(reverse("projects:proposal_edit", args=[draft.public_id])))

    hidden = {field["name"]: field.get("value", "") for field in page.select("#proposal-form input[type=hidden]")}
    assert {name: value for name, value in hidden.items() if name.startswith("coi-0-")} == {
        "coi-0-id": str(member.public_id)
    }
