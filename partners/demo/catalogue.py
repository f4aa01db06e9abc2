"""Demo content of the providers' side for seed_demo. Idempotent: a second run changes nothing.

Imports the real catalogue (partners/data/iss-facilities.json), gives the two demo provider accounts an
organisation each to administer, and leaves one listing of each as a draft so the demo shows both states.
"""

from pathlib import Path

from django.db.models.functions import Lower

from partners.domain import listings
from partners.domain.importing import import_capabilities
from partners.enums import ImportOutcome, MembershipRole
from partners.models import Membership, Organisation

CATALOGUE = Path(__file__).resolve().parents[1] / "data" / "iss-facilities.json"
ADMINS = {
    "provider@example.org": "Redwire Space",
    "provider2@example.org": "Space Tango",
}
# What a few providers say about themselves on their public page (filled while still blank).
PROFILES = {
    "BioServe Space Technologies": {
        "description": "A university research centre that designs, builds and operates cell culture and "
        "bioprocessing hardware on the International Space Station.",
        "website": "https://www.colorado.edu/center/bioserve/",
    },
}
DRAFTS = {("Redwire Space", "redwire-adsep"), ("Space Tango", "emulate-spacetango-organchip")}


def seed(log, users) -> None:
    known = set(Organisation.objects.annotate(lower=Lower("name")).values_list("lower", flat=True))
    plan = import_capabilities(CATALOGUE.read_text(), publish_new=True)
    for name in plan.new_organisations:
        log("organisation", name, "created")
    for name in sorted({entry.provider for entry in plan.entries if entry.provider.lower() in known}):
        log("organisation", name, "unchanged")
    for entry in plan.entries:
        log("listing", f"{entry.provider}: {entry.external_id}", entry.outcome)

    for email, name in ADMINS.items():
        organisation = Organisation.objects.get(name=name)
        membership, created = Membership.objects.get_or_create(
            organisation=organisation, user=users[email], defaults={"role": MembershipRole.ADMIN}
        )
        outcome = "created" if created else "unchanged"
        if membership.role != MembershipRole.ADMIN:
            membership.role = MembershipRole.ADMIN
            membership.save(update_fields=["role"])
            outcome = "updated"
        log("membership", f"{email} in {name}", outcome)

    for entry in plan.entries:
        if (entry.provider, entry.external_id) in DRAFTS:
            changed = listings.unpublish_capability(entry.capability)
        else:
            changed = listings.publish_capability(entry.capability)
        if changed:
            log("publication", f"{entry.provider}: {entry.external_id}", ImportOutcome.UPDATED)
    _seed_profiles(log)


def _seed_profiles(log) -> None:
    for name, profile in PROFILES.items():
        organisation = Organisation.objects.filter(name=name, description="").first()
        if organisation is None:
            log("profile", name, "unchanged")
            continue
        for field, value in profile.items():
            setattr(organisation, field, value)
        organisation.save(update_fields=[*profile, "updated_at"])
        log("profile", name, "updated")
