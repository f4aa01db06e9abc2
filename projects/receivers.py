"""Reactions of the matcher to changes on the providers' side (signals sent after their transactions commit)."""

from django.dispatch import receiver

from partners.enums import ListingAction
from partners.models import Capability
from partners.signals import capability_changed, member_joined, organisation_verification_changed
from projects.domain import introductions, scoring


@receiver(capability_changed)
def rescore_after_listing_change(sender, capability_id, action, fields=(), **kwargs):
    if action == ListingAction.CONFIRMED:
        return  # the provider confirmed the facts are current: nothing the matcher reads changed
    drafted = action in (ListingAction.CREATED, ListingAction.UPDATED)
    if drafted and not Capability.objects.matchable().filter(pk=capability_id).exists():
        return  # a draft (or a listing of an unverified provider) is in nobody's matches before or after
    categories = set(kwargs.get("categories") or ())
    capability = Capability.objects.filter(pk=capability_id).only("categories").first()
    if capability is not None:
        categories |= set(capability.categories)
    scoring.request_rescoring_for_capability(capability_id, sorted(categories))


@receiver(organisation_verification_changed)
def rescore_after_verification(sender, organisation_id, verified, **kwargs):
    for capability_id, categories in Capability.objects.filter(
        organisation_id=organisation_id, publication="published"
    ).values_list("pk", "categories"):
        scoring.request_rescoring_for_capability(capability_id, categories)


@receiver(member_joined)
def tell_new_member_of_waiting_introductions(sender, organisation_id, user_id, **kwargs):
    introductions.notify_new_member_of_waiting(organisation_id, user_id)
