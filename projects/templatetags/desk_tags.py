"""The review desk's front door (the admin's home page): what waits for the member of staff, and the models
grouped so that the rarely used ones sit under "System"."""

from collections import Counter

from django import template

from projects.domain.queries import desk_piles

register = template.Library()

# Models staff rarely open by hand: records the portal keeps for itself, and parts of a proposal or a listing
# that have their own page elsewhere. Listed by "app_label.object_name".
SYSTEM_MODELS = {
    "account.EmailAddress",
    "leoportal.BackgroundJob",
    "leoportal.FailedTask",
    "leoportal.Notification",
    "leoportal.NotificationPreference",
    "leoportal.WorkerHeartbeat",
    "mfa.Authenticator",
    "partners.AvailabilityWindow",
    "partners.CapabilityUpload",
    "partners.Invitation",
    "projects.Attachment",
    "projects.CoInvestigator",
    "projects.Invitation",
    "projects.ListingDemand",
    "projects.Match",
    "projects.RescoreRequest",
    "projects.StatusChange",
    "webhooks.Delivery",
    "webhooks.Endpoint",
}


@register.simple_tag(takes_context=True)
def desk_waiting(context):
    """The piles of work waiting for the signed-in member of staff (see projects.domain.queries.desk_piles)."""
    return desk_piles(context["request"].user)


@register.filter
def desk_sections(app_list):
    """The admin's list of apps with the rarely used models moved to a last section, "System"."""
    sections, system = [], []
    for app in app_list:
        kept = []
        for model in app["models"]:
            if f"{app['app_label']}.{model['object_name']}" in SYSTEM_MODELS:
                system.append((app, model))
            else:
                kept.append(model)
        if kept:
            sections.append({**app, "models": kept})
    if system:
        names = Counter(str(model["name"]) for _app, model in system)
        # Two apps' models of one name (invitations) say which app they belong to.
        system = [
            {**model, "name": f"{model['name']} ({app['name']})"} if names[str(model["name"])] > 1 else model
            for app, model in system
        ]
        system.sort(key=lambda model: str(model["name"]))
        sections.append({"name": "System", "app_label": "system", "app_url": "", "models": system})
    return sections
