import factory
from allauth.account.models import EmailAddress

from leoportal.enums import Role
from leoportal.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    organisation = factory.Faker("company")
    role = Role.RESEARCHER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ResearcherFactory(UserFactory):
    role = Role.RESEARCHER


class ProviderUserFactory(UserFactory):
    role = Role.PROVIDER


class StaffFactory(UserFactory):
    is_staff = True
