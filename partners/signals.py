"""Signals of the providers' side.

``capability_changed`` is sent after the transaction that created, changed, published, unpublished, confirmed or
deleted a listing has committed (never for a rolled-back change). Keyword arguments: ``capability_id``,
``public_id``, ``organisation_id``, ``action`` (a ``partners.enums.ListingAction`` value), ``categories`` (what the
listing offered before the change) and ``fields`` (the
fields that changed, for "created" and "updated"). Receivers must be quick: queue work with
``leoportal.dispatch.dispatch`` rather than doing it in the request.
"""

from django.dispatch import Signal

capability_changed = Signal()

# Sent after the transaction that verified (or unverified) an organisation has committed: its published listings
# enter (or leave) the public catalogue and the matcher. Keyword arguments: ``organisation_id``, ``verified``.
organisation_verification_changed = Signal()

# Sent after the transaction in which someone joined an organisation (accepting an invitation) has committed, so
# what waited for the organisation (introductions made before it had members) reaches them. Keyword arguments:
# ``organisation_id``, ``user_id``.
member_joined = Signal()
