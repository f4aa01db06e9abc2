"""Every URL pattern of the site, from the resolver, and the arguments that point each one at the world's objects."""

from django.urls import URLPattern, URLResolver, get_resolver

from projects.models import CalendarFeed


def site_patterns(resolver=None, prefix="", namespace=None):
    """(key, route, named) for every URL pattern: the key is the pattern's namespaced name, or its route if unnamed."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            yield from site_patterns(
                pattern, route, f"{namespace}:{inner}" if namespace and inner else inner or namespace
            )
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield (name or route), route, bool(name)


def arguments(world) -> dict:
    """URL keyword arguments per pattern key, pointing at the world's objects (the proposal introduced to Orbital)."""
    o = world.objects
    proposal = {"public_id": o["proposal"].public_id}
    team_member = {**proposal, "member_id": o["co_investigator"].public_id}
    orbital = {"slug": o["orbital"].slug}
    uidb36, reset_key = world.tokens["password_reset"]
    staff_factor = {"pk": world.users["staff"].authenticator_set.get().pk}
    return {
        "notification_open": {"pk": o["notification"].pk},
        "job_detail": {"public_id": o["job"].public_id},
        "job_status": {"public_id": o["job"].public_id},
        "job_download": {"public_id": o["job"].public_id},
        "account_confirm_email": {"key": world.tokens["email_confirmation"]},
        "account_reset_password_from_key": {"uidb36": uidb36, "key": reset_key},
        "mfa_edit_webauthn": staff_factor,
        "mfa_remove_webauthn": staff_factor,
        "projects:call_detail": {"public_id": o["call"].public_id},
        "projects:call_calendar": {"public_id": o["call"].public_id},
        # The owner's calendar address: the token is the secret, so whoever holds it reads the feed.
        "projects:personal_calendar": {"token": CalendarFeed.objects.get(user=world.users["owner"]).token},
        "projects:proposal_autosave": proposal,
        "projects:proposal_reopen": proposal,
        "projects:proposal_versions": proposal,
        "projects:version_file": {**proposal, "number": 1, "index": 0},
        "projects:proposal_detail": proposal,
        "projects:proposal_edit": proposal,
        "projects:proposal_withdraw": proposal,
        "projects:proposal_delete": proposal,
        "projects:attachment_upload": {**proposal, "kind": "letter"},
        "projects:attachment_download": {**proposal, "attachment_id": o["narrative"].public_id},
        "projects:attachment_delete": {**proposal, "attachment_id": o["narrative"].public_id},
        "projects:co_investigator_invite": team_member,
        "projects:co_investigator_change_access": team_member,
        "projects:co_investigator_remove_access": team_member,
        "projects:introduce": proposal,
        "projects:ask": {"public_id": o["listing"].public_id},
        "projects:introduction": {"public_id": o["introduction"].public_id},
        "projects:introduction_answer": {"public_id": o["introduction"].public_id},
        "projects:introduction_attachment": {
            "public_id": o["introduction"].public_id,
            "attachment_id": o["narrative"].public_id,
        },
        "projects:invitation": {"token": world.tokens["project_invitation"]},
        "projects:review_proposal": proposal,
        "projects:review_conflict": proposal,
        "projects:review_attachment": {**proposal, "attachment_id": o["narrative"].public_id},
        "projects:reviewer_invitation": {"token": world.tokens["reviewer_invitation"]},
        "projects:decision_email": {"public_id": o["decision"].public_id},
        "partners:capability": {"public_id": o["listing"].public_id},
        "api-1:listing": {"listing_id": o["listing"].public_id},
        "api-1:proposal": {"proposal_id": o["proposal"].public_id},
        "api_token_revoke": {"public_id": o["api_token"].public_id},
        "api-1:proposal_update": {"proposal_id": o["proposal"].public_id},
        "api-1:proposal_matches": {"proposal_id": o["proposal"].public_id},
        "api-1:own_listing": {"listing_id": o["draft_listing"].public_id},
        "api-1:own_listing_update": {"listing_id": o["draft_listing"].public_id},
        "api-1:own_listing_delete": {"listing_id": o["draft_listing"].public_id},
        "api-1:own_listing_publish": {"listing_id": o["draft_listing"].public_id},
        "api-1:own_listing_unpublish": {"listing_id": o["listing"].public_id},
        "api-1:introduction": {"introduction_id": o["introduction"].public_id},
        "api-1:introduction_answer": {"introduction_id": o["introduction"].public_id},
        # The owner's personal token, under Orbital's address: not one of Orbital's tokens, so 404 to its admin too.
        "organisation_api_tokens": orbital,
        "organisation_api_token_revoke": {**orbital, "public_id": o["api_token"].public_id},
        "partners:provider": orbital,
        "partners:organisation": orbital,
        "partners:organisation_edit": orbital,
        "partners:leave": orbital,
        "partners:invite": orbital,
        "partners:invitation_revoke": {**orbital, "public_id": o["member_invitation"].public_id},
        "partners:member_role": {**orbital, "public_id": o["orbital_membership"].public_id},
        "partners:member_remove": {**orbital, "public_id": o["orbital_membership"].public_id},
        "partners:listing_create": orbital,
        "partners:import_upload": orbital,
        "partners:import_preview": {**orbital, "public_id": o["upload"].public_id},
        "partners:import_confirm": {**orbital, "public_id": o["upload"].public_id},
        "partners:import_job": {**orbital, "public_id": o["import_job"].public_id},
        "partners:export": orbital,
        "partners:listing": {"public_id": o["draft_listing"].public_id},
        "partners:listing_edit": {"public_id": o["draft_listing"].public_id},
        "partners:listing_publish": {"public_id": o["draft_listing"].public_id},
        "partners:listing_unpublish": {"public_id": o["listing"].public_id},
        "partners:listing_confirm": {"public_id": o["listing"].public_id},
        "partners:listing_delete": {"public_id": o["draft_listing"].public_id},
        "partners:invitation": {"token": world.tokens["member_invitation"]},
        "partners:invitation_for_you": {"public_id": o["member_invitation"].public_id},
        "webhooks:endpoints": orbital,
        **{
            f"webhooks:{name}": {**orbital, "public_id": o["webhook"].public_id}
            for name in ("endpoint", "test", "rotate", "enable", "delete")
        },
    }
