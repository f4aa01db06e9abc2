import factory

from tests.partners.factories import OrganisationFactory
from webhooks.domain.signing import new_secret
from webhooks.enums import Event
from webhooks.models import Endpoint


class EndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endpoint

    organisation = factory.SubFactory(OrganisationFactory)
    url = "https://hooks.redwire.example/leo"
    events = factory.LazyFunction(lambda: list(Event.values))
    description = "CRM sync"
    secret = factory.LazyFunction(new_secret)
