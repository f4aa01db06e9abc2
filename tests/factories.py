import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from leoportal.enums import Role
from leoportal.models import User

PASSWORD = "correct-horse-battery-staple"
# The authenticator-app secret of every staff account the factory makes (tests.utils.totp_code gives its codes).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


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


class ReviewerFactory(UserFactory):
    role = Role.REVIEWER


class StaffFactory(UserFactory):
    """Program staff, with an authenticator app set up (staff cannot work without a second factor);
    ``StaffFactory(second_factor=False)`` makes one who has not set it up yet."""

    is_staff = True

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            Authenticator.objects.create(user=obj, type=Authenticator.Type.TOTP, data={"secret": STAFF_TOTP_SECRET})
