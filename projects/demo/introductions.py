"""Demo introductions for seed_demo (after the demo proposals are scored). Idempotent: keyed by proposal and
provider, a second run finds them and changes nothing.

Rows are written directly, like the demo's status history: seeding sends no notifications. Each carries the
provider's best stored match, as an introduction made from the review desk would.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from partners.enums import MembershipRole
from partners.models import Invitation, Organisation
from projects.enums import IntroductionAnswer
from projects.models import Introduction, Match, Proposal

# (proposal, provider, staff note, answer, answering member, message)
INTRODUCTIONS = [
    (
        "demo-mab-crystals",
        "Redwire Space",
        "PIL-BOX grows protein crystals in exactly the conditions this study asks for; the team is ready to talk "
        "about a 2027 increment.",
        "",
        None,
        "",
    ),
    (
        "demo-partial-g-bone",
        "Redwire Space",
        "The MVP's centrifuge gives the partial-gravity levels this bone study needs, with a 1 g control on orbit.",
        IntroductionAnswer.INTERESTED,
        "provider@example.org",
        "We can offer MVP time on the spring increment; let us set up a call about sample return logistics.",
    ),
    (
        "demo-msc-expansion",
        "Space Tango",
        "TangoLab's CubeLab modules fit the culture volumes and the crew time this expansion study can accept.",
        IntroductionAnswer.NOT_INTERESTED,
        "provider2@example.org",
        "Our 2027 CubeLab slots are fully booked; please come back to us for 2028.",
    ),
]


# A provider nobody on the portal belongs to yet: staff invited a contact, and the introduction waits for them.
WAITING_FOR_CONTACT = (
    "demo-msc-expansion",
    "BioServe Space Technologies",
    "contact@bioserve.example",
    "BioServe's bioreactors suit this expansion study: the introduction waits for their contact to join.",
)


def seed(log, users) -> None:
    staff = users.get("staff@example.org")
    external_id, provider, contact, note = WAITING_FOR_CONTACT
    organisation = Organisation.objects.filter(name=provider).first()
    if organisation is not None and staff is not None and not organisation.memberships.exists():
        _invitation, created = Invitation.objects.get_or_create(
            organisation=organisation,
            email=contact,
            defaults={
                "role": MembershipRole.ADMIN,
                "invited_by": staff,
                # Marked as sent: the demo e-mails nobody.
                "sent_at": timezone.now(),
                "expires_at": timezone.now() + timedelta(days=settings.PROVIDER_INVITATION_DAYS),
            },
        )
        log("invitation", f"{contact} to {provider}", "created" if created else "unchanged")
    rows = [*INTRODUCTIONS, (external_id, provider, note, "", None, "")]
    for external_id, provider, note, answer, member_email, message in rows:
        proposal = Proposal.objects.filter(external_id=external_id).first()
        organisation = Organisation.objects.filter(name=provider).first()
        if proposal is None or organisation is None:
            continue
        name = f"{external_id} to {provider}"
        if Introduction.objects.filter(proposal=proposal, organisation=organisation).exists():
            log("introduction", name, "unchanged")
            continue
        introduced_at = timezone.now() - timedelta(days=2)
        introduction = Introduction(
            proposal=proposal, organisation=organisation, introduced_by=staff, note=note, created_at=introduced_at
        )
        match = (
            Match.objects.filter(proposal=proposal, capability__organisation=organisation)
            .select_related("capability")
            .order_by("rank")
            .first()
        )
        if match is not None:
            introduction.match, introduction.capability = match, match.capability
            introduction.facility_name, introduction.score = match.capability.name, match.score
            introduction.fit, introduction.criteria = match.fit, match.criteria
            introduction.summary = match.summary[:300]
            introduction.near_miss = match.near_miss
        if answer:
            introduction.answer, introduction.message = answer, message
            introduction.answered_by = users.get(member_email)
            introduction.answered_at = introduced_at + timedelta(days=1)
        introduction.save()
        log("introduction", name, "created")
