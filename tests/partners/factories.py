import secrets
from datetime import timedelta

import factory
from django.urls import reverse
from django.utils import timezone

from leoportal.domain.invitations import token_hash
from partners.enums import CapabilityStatus, Category, MembershipRole, PublicationState
from partners.models import AvailabilityWindow, Capability, Invitation, Membership, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Orbital Labs {n}")
    slug = factory.Sequence(lambda n: f"orbital-labs-{n}")
    verified = True
    verified_at = factory.LazyAttribute(lambda o: timezone.now() if o.verified else None)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory("tests.factories.ProviderUserFactory")
    role = MembershipRole.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = MembershipRole.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


def invitation_link(invitation: Invitation) -> str:
    """The link of an invitation's e-mail. Its token exists only in the e-mail (the row keeps its hash), so the test
    issues one as sending would."""
    token = secrets.token_urlsafe(32)
    Invitation.objects.filter(pk=invitation.pk).update(
        token_hash=token_hash(token), sent_at=invitation.sent_at or timezone.now()
    )
    return reverse("partners:invitation", kwargs={"token": token})


class CapabilityFactory(factory.django.DjangoModelFactory):
    """A published listing of a verified organisation, with nothing but its name and category stated."""

    class Meta:
        model = Capability

    organisation = factory.SubFactory(OrganisationFactory)
    external_id = factory.Sequence(lambda n: f"facility-{n}")
    name = factory.Sequence(lambda n: f"Facility {n}")
    status = CapabilityStatus.OPERATIONAL
    categories = factory.LazyFunction(lambda: [Category.CELL_CULTURE_BIOREACTOR])
    publication = PublicationState.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.publication == PublicationState.PUBLISHED else None
    )


class AvailabilityWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityWindow

    capability = factory.SubFactory(CapabilityFactory)


def adsep_listing(organisation, **overrides):
    """ADSEP as the introduction tests use it: a 4-40 C bioreactor with CO2 control that returns samples."""
    values = {
        "organisation": organisation,
        "external_id": "adsep",
        "name": "ADSEP",
        "categories": ["cell_culture_bioreactor"],
        "temperature_min_c": 4,
        "temperature_max_c": 40,
        "co2_control": True,
        "sample_return": True,
    }
    return CapabilityFactory(**values | overrides)
