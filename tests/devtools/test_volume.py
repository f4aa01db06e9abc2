"""The synthetic volume for measuring: proposals, listings and staff reviews, and nothing left after removal."""

import pytest

from devtools.volume import REVIEWERS, VOLUME_DOMAIN, create_volume, remove_volume
from leoportal.models import User
from partners.models import Capability
from projects.models import Proposal, Review

pytestmark = pytest.mark.django_db


def test_volume_includes_reviews_by_inactive_staff_and_is_removed_whole(researcher):
    proposal_ids, capability_ids = create_volume(40, 10, seed=3, log=lambda message: None)
    reviewers = User.objects.filter(email__startswith="reviewer", email__endswith=VOLUME_DOMAIN)

    assert (len(proposal_ids), len(capability_ids), reviewers.count()) == (40, 10, REVIEWERS)
    assert set(reviewers.values_list("is_staff", "is_active")) == {(True, False)}  # notified of nothing
    reviews = Review.objects.filter(proposal_id__in=proposal_ids)
    assert 0 < reviews.values("proposal").distinct().count() < 40
    assert all(1 <= review.overall <= 5 for review in reviews)

    remove_volume(log=lambda message: None)

    assert (Proposal.objects.count(), Capability.objects.count(), Review.objects.count()) == (0, 0, 0)
    assert list(User.objects.values_list("email", flat=True)) == ["researcher@example.org"]
