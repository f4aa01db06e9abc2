"""The API tokens section of an organisation's page: its tokens and the form that makes one."""

from django import template

from leoportal.views.tokens import OrganisationTokenForm, organisation_tokens

register = template.Library()


@register.simple_tag
def organisation_api_tokens(organisation) -> dict:
    return {"tokens": organisation_tokens(organisation), "form": OrganisationTokenForm()}
