"""The matching pipeline: when proposals are scored, what is stored, and how the tasks behave."""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from leoportal.tasks import sweep_outboxes_task
from partners.domain import listings
from partners.domain.importing import import_capabilities
from partners.models import Capability
from projects.domain import scoring, transitions
from projects.domain.scoring import requests, store
from projects.domain.transitions import set_proposal_status
from projects.enums import ProposalStatus
from projects.models import ListingDemand, Match
from projects.tasks import rescore_stale_task, score_proposal_task
from tests.partners.factories import CapabilityFactory, OrganisationFactory
from tests.projects.factories import NarrativeFactory, ProposalFactory
from tests.utils import wait_for

CATALOGUE = Path(settings.BASE_DIR) / "partners" / "data" / "iss-facilities.json"


@pytest.fixture
def catalogue(db):
    import_capabilities(CATALOGUE.read_bytes())
    return Capability.objects.matchable()


def submitted(owner=None, **facts):
    proposal = ProposalFactory(complete=True, **({"owner": owner} if owner else {}), **facts)
    proposal.status = ProposalStatus.SUBMITTED
    proposal.save(update_fields=["status"])
    return proposal


def stored(proposal):
    return list(
        Match.objects.filter(proposal=proposal)
        .order_by("rank")
        .values_list("capability__external_id", "rank", "score", "fit", "criteria_json", "near_miss")
    )


@pytest.mark.django_db
def test_submitting_a_proposal_scores_it(catalogue, django_capture_on_commit_callbacks):
    proposal = ProposalFactory(complete=True)
    NarrativeFactory(proposal=proposal)

    with django_capture_on_commit_callbacks(execute=True):
        set_proposal_status(proposal, ProposalStatus.SUBMITTED, proposal.owner)

    proposal.refresh_from_db()
    matches = stored(proposal)
    assert proposal.match_version == scoring.current_algorithm()
    assert proposal.matched_at >= proposal.match_requested_at
    assert [rank for _, rank, *_ in matches] == sorted(rank for _, rank, *_ in matches)
    top = [capability for capability, *_ in matches[:5]]
    assert "airbus-organoid-hardware" in top  # a 37 C organoid culture for 14 days, returned live


@pytest.mark.django_db
def test_matches_keep_the_top_n_and_the_near_misses(catalogue, settings):
    settings.MATCH_TOP_N = 5
    proposal = submitted(duration_days=200)  # longer than ICE Cubes' stated 120 days: a near miss at best

    scoring.score_proposal(proposal.pk)

    matches = Match.objects.filter(proposal=proposal)
    assert sorted(matches.filter(rank__lte=5).values_list("rank", flat=True)) == [1, 2, 3, 4, 5]
    beyond_the_top = matches.filter(rank__gt=5)
    assert beyond_the_top.exists()
    for near_miss in beyond_the_top:
        assert (near_miss.fit, near_miss.near_miss != "") == ("does_not_fit", True)


@pytest.mark.django_db
def test_scoring_twice_leaves_the_same_rows(catalogue):
    proposal = submitted()

    scoring.score_proposal(proposal.pk)
    first = stored(proposal)
    scoring.score_proposal(proposal.pk)

    assert stored(proposal) == first
    assert len(first) > 0


@pytest.mark.django_db
def test_bulk_rescoring_gives_the_same_rows_as_scoring_one_by_one(catalogue):
    proposals = [submitted(), submitted(needs=["3d_bioprinter"], sample_type="bioink"), submitted(co2=None)]
    for proposal in proposals:
        scoring.score_proposal(proposal.pk)
    one_by_one = [stored(p) for p in proposals]

    figures = scoring.rescore([p.pk for p in proposals], batch_size=2)

    assert [stored(p) for p in proposals] == one_by_one
    assert (figures.proposals, figures.rows) == (3, sum(len(rows) for rows in one_by_one))


@pytest.mark.django_db
def test_drafts_and_closed_proposals_are_not_scored(catalogue):
    draft = ProposalFactory(complete=True)
    withdrawn = submitted()
    withdrawn.status = ProposalStatus.WITHDRAWN
    withdrawn.save(update_fields=["status"])

    assert (scoring.score_proposal(draft.pk), scoring.score_proposal(withdrawn.pk)) == (False, False)
    assert scoring.rescore().proposals == 0
    assert Match.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_proposal_is_a_quiet_no(catalogue):
    assert score_proposal_task.apply(args=[987654]).get() is False


@pytest.mark.django_db
def test_publishing_a_fitting_listing_rescores_open_proposals(catalogue, django_capture_on_commit_callbacks):
    proposal = submitted(needs=["3d_bioprinter"], sample_type="bioink", duration_days=21)
    scoring.score_proposal(proposal.pk)
    organisation = OrganisationFactory(name="Orbital Bioprinting")
    listing = CapabilityFactory(
        organisation=organisation,
        external_id="orbital-printer",
        name="Orbital bioprinter",
        categories=["3d_bioprinter"],
        research_areas=["organoids", "stem_cells"],
        publication="draft",
        published_at=None,
        sample_return=True,
        crew_time="low",
        temperature_min_c=4,
        temperature_max_c=40,
        co2_control=True,
        max_duration_days=60,
    )
    assert "orbital-printer" not in [c for c, *_ in stored(proposal)]

    with django_capture_on_commit_callbacks(execute=True):
        listings.publish_capability(listing)

    assert "orbital-printer" in [c for c, *_ in stored(proposal)[:3]]

    with django_capture_on_commit_callbacks(execute=True):
        listings.unpublish_capability(listing)

    assert "orbital-printer" not in [c for c, *_ in stored(proposal)]


@pytest.mark.django_db
def test_verifying_an_organisation_brings_its_listings_into_the_matches(django_capture_on_commit_callbacks, staff):
    from partners.domain.organisations import set_organisation_verified

    organisation = OrganisationFactory(name="New Orbit Labs", verified=False)
    CapabilityFactory(organisation=organisation, external_id="new-orbit-incubator", sample_return=True)
    proposal = submitted()
    scoring.score_proposal(proposal.pk)
    assert stored(proposal) == []

    with django_capture_on_commit_callbacks(execute=True):
        set_organisation_verified(organisation, True)

    assert [c for c, *_ in stored(proposal)] == ["new-orbit-incubator"]


@pytest.mark.django_db
def test_editing_flight_requirements_during_revisions_requests_rescoring(catalogue, django_capture_on_commit_callbacks):
    from projects.domain.proposals import save_draft

    proposal = submitted()
    scoring.score_proposal(proposal.pk)
    proposal.status = ProposalStatus.REVISIONS_REQUESTED
    proposal.save(update_fields=["status"])
    before = stored(proposal)

    with django_capture_on_commit_callbacks(execute=True):
        changed = save_draft(
            proposal, {"needs": ["protein_crystallization"], "sample_type": "protein_solution"}, proposal.owner
        )

    assert changed == {"needs", "sample_type"}
    after = stored(proposal)
    assert after != before
    assert after[0][0] in {"redwire-pil-box", "jaxa-pcrf"}


@pytest.mark.django_db
def test_editing_other_fields_does_not_rescore(catalogue, django_capture_on_commit_callbacks):
    from projects.domain.proposals import save_draft

    proposal = submitted()
    scoring.score_proposal(proposal.pk)
    proposal.status = ProposalStatus.REVISIONS_REQUESTED
    proposal.save(update_fields=["status"])
    requested = proposal.match_requested_at

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        save_draft(proposal, {"objectives": "Sharper objectives."}, proposal.owner)

    proposal.refresh_from_db()
    assert (proposal.match_requested_at, len(callbacks)) == (requested, 0)


@pytest.mark.django_db
def test_the_sweep_scores_proposals_whose_scoring_was_requested_but_never_done(
    catalogue, django_capture_on_commit_callbacks
):
    proposal = submitted()
    type(proposal).objects.filter(pk=proposal.pk).update(match_requested_at=timezone.now() - timedelta(minutes=10))
    fresh = submitted()
    type(fresh).objects.filter(pk=fresh.pk).update(match_requested_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_outboxes_task()["projects.scoring"] == 1  # the fresh request is left to its own task for a while

    assert len(stored(proposal)) > 0
    assert stored(fresh) == []
    assert sweep_outboxes_task()["projects.scoring"] == 0


@pytest.mark.django_db
def test_stale_results_are_found_by_algorithm_version_and_by_listing_changes(catalogue):
    current, old_version, older_than_listings = submitted(), submitted(), submitted()
    for proposal in (current, old_version, older_than_listings):
        scoring.score_proposal(proposal.pk)
    type(current).objects.filter(pk=old_version.pk).update(match_version="0.9+old")
    type(current).objects.filter(pk=older_than_listings.pk).update(matched_at=timezone.now() - timedelta(days=2))
    Capability.objects.filter(external_id="redwire-bff").update(updated_at=timezone.now() - timedelta(days=1))

    assert sorted(scoring.stale_proposal_ids()) == sorted([old_version.pk, older_than_listings.pk])


@pytest.mark.django_db
def test_the_nightly_rescore_applies_new_weights_from_the_settings(catalogue, settings):
    proposals = [submitted(), submitted(needs=["3d_bioprinter"], sample_type="bioink")]
    for proposal in proposals:
        scoring.score_proposal(proposal.pk)
    before = {p.pk: {c: score for c, _, score, *_ in stored(p)} for p in proposals}
    old_version = scoring.current_algorithm()
    settings.MATCHING_WEIGHTS = {**settings.MATCHING_WEIGHTS, "text": 0.0, "hardware": 60.0}

    assert rescore_stale_task() == 2

    for proposal in proposals:
        proposal.refresh_from_db()
        after = {c: score for c, _, score, *_ in stored(proposal)}
        assert proposal.match_version == scoring.current_algorithm() != old_version
        assert [c for c in after if c in before[proposal.pk] and after[c] != before[proposal.pk][c]] != []
    assert rescore_stale_task() == 0


@pytest.mark.django_db
def test_staff_are_told_of_a_proposals_strong_matches_once_in_one_notification(catalogue, staff, settings):
    settings.MATCH_STRONG_SCORE = 30
    proposal = submitted()

    scoring.score_proposal(proposal.pk)
    first = list(Notification.objects.filter(kind=NotificationKind.STRONG_MATCH).values_list("subject", "body"))
    scoring.score_proposal(proposal.pk)
    scoring.rescore()

    strong = [(c, score) for c, _, score, fit, _, near in stored(proposal) if score >= 30 and fit != "does_not_fit"]
    names = dict(Capability.objects.values_list("external_id", "name"))
    [(subject, body)] = first
    assert len(strong) > 1
    assert subject == f"Strong match: {names[strong[0][0]]} and {len(strong) - 1} more for “{proposal.title}”"
    lines = body.splitlines()[1:]
    assert len(lines) == len(strong)
    assert [line.startswith(f"- {names[c]} (") for line, (c, _) in zip(lines, strong, strict=True)] == [True] * len(
        strong
    )
    assert Notification.objects.filter(kind=NotificationKind.STRONG_MATCH).count() == 1


@pytest.mark.django_db
def test_a_new_strong_match_later_is_news_again(catalogue, staff, settings):
    import uuid

    settings.MATCH_STRONG_SCORE = 30
    proposal = submitted()
    scoring.score_proposal(proposal.pk)
    twin = Capability.objects.get(external_id=stored(proposal)[0][0])
    twin.pk = twin.id = None
    twin.public_id, twin.external_id, twin.name = uuid.uuid4(), "twin-facility", "Twin facility"
    twin.save()

    scoring.score_proposal(proposal.pk)

    subjects = list(
        Notification.objects.filter(kind=NotificationKind.STRONG_MATCH, recipient=staff)
        .order_by("created_at", "id")
        .values_list("subject", flat=True)
    )
    assert len(subjects) == 2
    assert subjects[1] == f"Strong match: Twin facility for “{proposal.title}”"


@pytest.mark.django_db(transaction=True)
def test_previous_results_stay_visible_until_the_new_ones_are_committed(catalogue, monkeypatch):
    proposal = submitted()
    scoring.score_proposal(proposal.pk)
    before = stored(proposal)
    Capability.objects.filter(external_id="airbus-organoid-hardware").update(
        status="retired", updated_at=timezone.now()
    )
    inside, release = threading.Event(), threading.Event()
    insert = store._insert

    def insert_then_pause(rows):  # the old rows are deleted and the new ones written, not yet committed
        insert(rows)
        inside.set()
        release.wait(10)

    monkeypatch.setattr(store, "_insert", insert_then_pause)

    def rescore():
        try:
            scoring.score_proposal(proposal.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=rescore)
    thread.start()
    assert inside.wait(10)
    seen_during = stored(proposal)
    release.set()
    thread.join()
    after = stored(proposal)

    assert seen_during == before
    assert after != before


@pytest.mark.django_db(transaction=True)
def test_two_scorings_of_the_same_proposal_never_run_at_once(catalogue):
    proposal = submitted()
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                type(proposal).objects.select_for_update().get(pk=proposal.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold_the_row)
    thread.start()
    locked.wait(10)
    try:
        with pytest.raises(scoring.ScoringBusy):
            scoring.score_proposal(proposal.pk)
        with pytest.raises(Retry):  # the task asks to run again after the one holding the lock
            score_proposal_task.apply(args=[proposal.pk])
    finally:
        release.set()
        thread.join()

    assert stored(proposal) == []
    assert scoring.score_proposal(proposal.pk) is True


@pytest.mark.django_db
def test_listing_demand_counts_open_proposals_per_listing(catalogue):
    submitted(), submitted(), submitted(needs=["3d_bioprinter"], sample_type="bioink")
    draft = ProposalFactory(complete=True)  # drafts are not counted

    scoring.refresh_listing_demand()

    airbus = ListingDemand.objects.get(capability__external_id="airbus-organoid-hardware")
    bff = ListingDemand.objects.get(capability__external_id="redwire-bff")
    assert draft.status == "draft"
    assert ListingDemand.objects.count() == Capability.objects.matchable().count()
    # The two culture proposals may go to the organoid hardware; the printing one does not fit it (no printer).
    assert airbus.fits + airbus.to_confirm == 2
    assert bff.fits + bff.to_confirm == 1


@pytest.mark.worker
def test_a_real_worker_scores_a_submitted_proposal(live_worker):
    import_capabilities(CATALOGUE.read_bytes())
    proposal = ProposalFactory(complete=True)
    NarrativeFactory(proposal=proposal)

    set_proposal_status(proposal, ProposalStatus.SUBMITTED, proposal.owner)

    wait_for(lambda: Match.objects.filter(proposal=proposal).exists(), timeout=60)
    proposal.refresh_from_db()
    assert proposal.match_version == scoring.current_algorithm()
    assert Match.objects.filter(proposal=proposal, rank__lte=settings.MATCH_TOP_N).count() == settings.MATCH_TOP_N


@pytest.mark.django_db
def test_a_burst_of_listing_changes_is_rescored_once(catalogue, django_capture_on_commit_callbacks):
    from projects.models import RescoreRequest

    bioprinting = submitted(needs=["3d_bioprinter"], sample_type="bioink")
    culture = submitted()
    for external_id in ("redwire-bff", "auxilium-amp1", "airbus-organoid-hardware"):
        capability = Capability.objects.get(external_id=external_id)
        RescoreRequest.objects.create(capability_id=capability.pk, categories=capability.categories)

    assert scoring.rescore_requested() == 2  # both proposals, once, for the three changes
    assert scoring.rescore_requested() == 0
    assert RescoreRequest.objects.count() == 0
    assert stored(bioprinting) != [] and stored(culture) != []


@pytest.mark.django_db
def test_the_sweep_picks_up_listing_changes_whose_rescoring_was_never_queued(
    catalogue, django_capture_on_commit_callbacks
):
    from projects.models import RescoreRequest

    proposal = submitted()
    capability = Capability.objects.get(external_id="airbus-organoid-hardware")
    request = RescoreRequest.objects.create(capability_id=capability.pk, categories=capability.categories)
    RescoreRequest.objects.filter(pk=request.pk).update(requested_at=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_outboxes_task()["projects.rescore_requests"] == 1

    assert RescoreRequest.objects.count() == 0
    assert "airbus-organoid-hardware" in [c for c, *_ in stored(proposal)]


@pytest.mark.django_db
def test_each_listing_change_the_matcher_reads_is_recorded_for_rescoring(
    django_capture_on_commit_callbacks, monkeypatch
):
    from projects.models import RescoreRequest

    monkeypatch.setattr(requests, "dispatch", lambda task, *args, **kwargs: None)  # keep the requests to look at
    capability = CapabilityFactory(publication="draft", categories=["3d_bioprinter"])
    recorded = []

    def requests_after(change):
        RescoreRequest.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        recorded.append(sorted(set(RescoreRequest.objects.values_list("capability_id", flat=True))))

    requests_after(lambda: listings.publish_capability(capability))
    requests_after(
        lambda: listings.update_capability(
            capability, values={"categories": ["3d_bioprinter", "cell_culture_bioreactor"]}
        )
    )
    requests_after(lambda: listings.confirm_capability(capability))
    requests_after(lambda: listings.unpublish_capability(capability))
    created = {}
    values = {"name": "New bioprinter", "description": "Prints bioinks in orbit.", "categories": ["3d_bioprinter"]}
    draft_values, published_values = ({**values, "external_id": f"new-bioprinter-{n}"} for n in (1, 2))
    requests_after(
        lambda: created.setdefault("draft", listings.create_capability(capability.organisation, values=draft_values))
    )
    requests_after(
        lambda: created.setdefault(
            "published", listings.create_capability(capability.organisation, values=published_values, publish=True)
        )
    )

    assert recorded == [[capability.pk], [capability.pk], [], [capability.pk], [], [created["published"].pk]]


@pytest.mark.django_db
def test_resubmitting_a_proposal_queues_its_scoring_again(researcher, staff, monkeypatch):
    proposal = submitted(owner=researcher)
    NarrativeFactory(proposal=proposal)
    set_proposal_status(proposal, ProposalStatus.SCREENING, staff)
    set_proposal_status(proposal, ProposalStatus.REVISIONS_REQUESTED, staff, "Please add the return temperature.")
    queued = []
    monkeypatch.setattr(transitions, "request_scoring", lambda p: queued.append(p.pk))

    set_proposal_status(proposal, ProposalStatus.SUBMITTED, researcher)

    assert queued == [proposal.pk]


@pytest.mark.django_db
def test_a_database_error_during_scoring_is_retried_not_lost(monkeypatch):
    from django.db import OperationalError

    proposal = submitted()

    def unreachable(proposal_id):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(scoring, "score_proposal", unreachable)

    with pytest.raises(Retry) as retried:
        score_proposal_task.apply(args=[proposal.pk])

    assert isinstance(retried.value.exc, OperationalError)
    assert (score_proposal_task.max_retries, score_proposal_task.retry_backoff) == (settings.TASK_MAX_RETRIES, True)
