"""Forms of the review desk: status moves (one proposal or many), reviews, conflict declarations, recorded flights."""

from django import forms
from django.utils import timezone

from partners.enums import CapabilityStatus
from partners.models import Capability
from projects.domain.transitions import STAFF, TRANSITIONS
from projects.enums import FlightStatus, ProposalStatus
from projects.forms.reviews import ConflictForm, ReviewForm
from projects.models.precedents import PRECEDENT_YEARS

__all__ = ["BulkStatusForm", "ConflictForm", "FlightRecordForm", "ReviewForm", "StatusMoveForm"]

NOTE_HELP = "Sent to the proposal's team with the status change, and kept in the status history."

# Where staff can move proposals to (from some status); the bulk form offers these.
_STAFF_MOVES = {to for (_from, to), actor in TRANSITIONS.items() if actor == STAFF}
STAFF_TARGETS = [status for status in ProposalStatus if status in _STAFF_MOVES]


class StatusMoveForm(forms.Form):
    new_status = forms.ChoiceField(label="Move to")
    note = forms.CharField(
        label="Note to the team",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=NOTE_HELP,
    )

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_status"].choices = [("", "Choose a status…")] + [
            (ProposalStatus(status).value, ProposalStatus(status).label) for status in statuses
        ]


class BulkStatusForm(StatusMoveForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, statuses=STAFF_TARGETS, **kwargs)


class FlightRecordForm(forms.Form):
    """Staff record that an introduced proposal flew, or is manifested, on one of the provider's listings."""

    listing = forms.ModelChoiceField(
        queryset=None,
        label="Listing",
        empty_label="Choose one of the provider's listings…",
        help_text="The facility or service the experiment flew on (or is manifested on).",
    )
    status = forms.ChoiceField(
        label="Flight",
        choices=FlightStatus.choices,
        initial=FlightStatus.FLOWN,
        widget=forms.RadioSelect,
        help_text="Manifested: assigned to a flight that has not flown yet. Record it again as flown once it has.",
    )
    year = forms.IntegerField(
        label="Year",
        min_value=PRECEDENT_YEARS[0],
        max_value=PRECEDENT_YEARS[1],
        help_text="The year it flew, or is planned to fly.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].queryset = Capability.objects.filter(organisation=organisation).order_by("name", "pk")
        self.fields["listing"].label_from_instance = _listing_label
        self.fields["year"].initial = timezone.localdate().year


def _listing_label(listing) -> str:
    status = "" if listing.status == CapabilityStatus.OPERATIONAL else f", {listing.get_status_display().lower()}"
    return f"{listing.name} ({listing.external_id}{status})"
