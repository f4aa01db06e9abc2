"""The fingerprints of the public pages kept for visitors (domain.page_cache): what each page shows, read from the
database at most every few seconds and forgotten as soon as a listing, a provider, a call or a flight precedent
changes. Connected to those models' signals when the apps are ready, in web and worker processes alike."""

from django.utils import timezone

from leoportal.domain.page_cache import Remembered
from partners.domain.queries import public_fingerprint
from partners.models import Capability, Organisation
from projects.domain.queries import calls_state
from projects.domain.scoring import catalogue_fingerprint
from projects.models import Call, Precedent

listings = Remembered("listings", public_fingerprint, changed_by=(Capability, Organisation))
calls = Remembered("calls", calls_state, changed_by=(Call,))
matching = Remembered("matching", catalogue_fingerprint, changed_by=(Capability, Organisation, Precedent))

ALL = (listings, calls, matching)


def calls_now() -> tuple:
    """The calls' fingerprint and the minute: calls open and steps close at their times."""
    return calls(), minute()


def minute() -> int:
    return int(timezone.now().timestamp() // 60)


def connect() -> None:
    for fingerprint in ALL:
        fingerprint.connect()
