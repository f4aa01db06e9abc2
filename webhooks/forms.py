from django import forms

from webhooks.domain.addresses import URL_MAX_LENGTH
from webhooks.domain.endpoints import DESCRIPTION_MAX_LENGTH
from webhooks.enums import Event


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Address",
        max_length=URL_MAX_LENGTH,
        help_text="An HTTPS address of your own system, reachable from the internet, e.g. "
        "https://hooks.example.org/leo-portal.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
        error_messages={"required": "Enter the address that should receive the events, starting with https://."},
    )
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What it is told of.",
        error_messages={
            "required": "Choose at least one event to be told of.",
            "invalid_choice": "“%(value)s” is not an event the portal sends: choose among the events listed.",
        },
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        help_text="What receives them, for your own records (e.g. “listing sync on our CRM”).",
    )
