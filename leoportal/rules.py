"""Role predicates shared by every app (object-level rules live in each app's rules.py)."""

import rules

from leoportal.enums import Role


@rules.predicate
def is_program_staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


@rules.predicate
def is_researcher(user):
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.RESEARCHER)


@rules.predicate
def is_provider(user):
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.PROVIDER)


def grant_program_staff(app_label: str, model_name: str, actions=("view", "add", "change", "delete")) -> None:
    """Let program staff use a model in the admin (permissions come from these rules, not from groups)."""
    for action in actions:
        rules.add_perm(f"{app_label}.{action}_{model_name}", is_program_staff)


rules.add_perm("leoportal", is_program_staff)
grant_program_staff("leoportal", "user", actions=("view", "change"))
grant_program_staff("leoportal", "notification", actions=("view",))
grant_program_staff("leoportal", "workerheartbeat", actions=("view",))
grant_program_staff("leoportal", "failedtask", actions=("view", "change"))
grant_program_staff("leoportal", "notificationpreference", actions=("view",))
grant_program_staff("leoportal", "backgroundjob", actions=("view",))
grant_program_staff("leoportal", "apitoken", actions=("view", "change"))
# allauth's e-mail addresses: staff can look up whether someone's address is verified, not change it.
rules.add_perm("account", is_program_staff)
grant_program_staff("account", "emailaddress", actions=("view",))
# allauth's second factors: staff see who has one (never its secret); a superuser removes a lost one.
rules.add_perm("mfa", is_program_staff)
grant_program_staff("mfa", "authenticator", actions=("view",))
