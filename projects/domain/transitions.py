"""The proposal status model: one table of allowed moves, and one function that makes every move.

``set_proposal_status`` is the only code that changes ``Proposal.status`` (and ``Proposal.stage``: an invitation
moves a concept on to the full-proposal stage). It checks the table (is the move allowed at all, at the
proposal's stage, and may this person make it), runs the checks a move needs (a submission must be complete and
its call open), saves, records a StatusChange (who, when, from, to, note) and notifies the team; a staff decision
(encouraged, revisions requested, accepted, declined) drafts its e-mail in the outbox instead
(projects/domain/decisions.py), sent when staff approve it. Views, admin actions, tasks and commands all call it.
"""

from enum import StrEnum

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from leoportal.domain.notifications import notify, wording
from leoportal.enums import NotificationKind
from leoportal.models import User
from leoportal.rules import is_program_staff
from projects.domain.decisions import draft_decision, is_decision
from projects.domain.scoring import request_scoring
from projects.domain.submission import check_ready_to_submit, format_deadline
from projects.domain.versions import freeze_version
from projects.enums import ProposalStatus as S
from projects.enums import Stage
from projects.exceptions import BulkTransitionRefused, IllegalTransition, TransitionError, TransitionNotAllowed
from projects.models import Proposal, StatusChange
from projects.rules import is_proposal_owner


class Actor(StrEnum):
    PRINCIPAL_INVESTIGATOR = "principal investigator"
    PROGRAM_STAFF = "program staff"


PI = Actor.PRINCIPAL_INVESTIGATOR
STAFF = Actor.PROGRAM_STAFF

# (from, to) -> who may make the move. Anything not listed is refused.
TRANSITIONS: dict[tuple[S, S], Actor] = {
    # The researcher submits, resubmits after revisions, and may withdraw an open proposal.
    (S.DRAFT, S.SUBMITTED): PI,
    (S.REVISIONS_REQUESTED, S.SUBMITTED): PI,
    (S.SUBMITTED, S.WITHDRAWN): PI,
    (S.SCREENING, S.WITHDRAWN): PI,
    (S.UNDER_REVIEW, S.WITHDRAWN): PI,
    (S.REVISIONS_REQUESTED, S.WITHDRAWN): PI,
    # Program staff run the review: the operations screen, the review, and the decision.
    (S.SUBMITTED, S.SCREENING): STAFF,
    (S.SCREENING, S.UNDER_REVIEW): STAFF,
    (S.SCREENING, S.REVISIONS_REQUESTED): STAFF,
    (S.SCREENING, S.DECLINED): STAFF,
    (S.UNDER_REVIEW, S.REVISIONS_REQUESTED): STAFF,
    (S.UNDER_REVIEW, S.ACCEPTED): STAFF,
    (S.UNDER_REVIEW, S.DECLINED): STAFF,
    # Calls with a concept step: staff encourage a submitted concept (an invitation to a full proposal) or decline
    # it with feedback; the invited team writes and submits the full proposal, or withdraws.
    (S.SUBMITTED, S.INVITED): STAFF,
    (S.SUBMITTED, S.DECLINED): STAFF,
    (S.INVITED, S.SUBMITTED): PI,
    (S.INVITED, S.WITHDRAWN): PI,
    # Until the deadline of its stage, the team may take a submitted proposal back to improve it (and resubmit).
    (S.SUBMITTED, S.DRAFT): PI,
}

# Moves made at one stage only; every other move is the same at both. A submitted concept is encouraged or
# declined, never screened; a submitted full proposal is screened first.
STAGE_OF_MOVE: dict[tuple[S, S], Stage] = {
    (S.SUBMITTED, S.INVITED): Stage.CONCEPT,
    (S.SUBMITTED, S.DECLINED): Stage.CONCEPT,
    (S.SUBMITTED, S.SCREENING): Stage.FULL,
}

ACTOR_PREDICATES = {PI: is_proposal_owner, STAFF: is_program_staff}


def allowed_moves(proposal: Proposal, user: User) -> list[S]:
    """The statuses ``user`` may move ``proposal`` to now (for buttons and admin actions)."""
    return [
        to
        for (frm, to), actor in TRANSITIONS.items()
        if frm == proposal.status
        and STAGE_OF_MOVE.get((frm, to), proposal.stage) == proposal.stage
        and _may_act(actor, user, proposal)
    ]


def _may_act(actor: Actor, user, proposal) -> bool:
    return ACTOR_PREDICATES[actor].test(user, proposal)  # .test() passes each predicate the arguments it takes


def check_transition(proposal: Proposal, new_status: S, by: User) -> None:
    current = S(proposal.status)
    new_status = S(new_status)
    actor = TRANSITIONS.get((current, new_status))
    if actor is None:
        raise IllegalTransition(f"A proposal cannot move from “{current.label}” to “{new_status.label}”.")
    stage = STAGE_OF_MOVE.get((current, new_status))
    if stage is not None and stage != proposal.stage:
        raise IllegalTransition(
            f"A {Stage(proposal.stage).label.lower()} cannot move from “{current.label}” to “{new_status.label}”: "
            f"only a {stage.label.lower()} can."
        )
    if not _may_act(actor, by, proposal):
        raise TransitionNotAllowed(
            f"Only the {actor} can move a proposal from “{current.label}” to “{new_status.label}”."
        )


def check_before_deadline(proposal: Proposal, now) -> None:
    """A submitted proposal is reopened only before the deadline of its stage (after it, the submission stands)."""
    deadline = proposal.deadline
    if deadline is not None and now >= deadline:
        raise IllegalTransition(
            f"The deadline passed on {format_deadline(deadline)}: the submitted version stands and can no longer be "
            "reopened. Program staff can ask for revisions if they need them."
        )


def set_proposal_status(proposal: Proposal, new_status: S, by: User, note: str = "") -> StatusChange:
    """Move ``proposal`` to ``new_status`` on behalf of ``by``; raise TransitionError when that is not allowed.

    ``proposal`` is updated in place (status, timestamps and, on submission, the submission count).
    """

    new_status = S(new_status)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
        check_transition(locked, new_status, by)
        now = timezone.now()
        previous = S(locked.status)
        stage = Stage(locked.stage)
        fields = ["status", "status_changed_at", "updated_at"]
        if new_status == S.DRAFT:
            check_before_deadline(locked, now)
        if new_status == S.SUBMITTED:
            check_ready_to_submit(locked)
            locked.submission_count += 1
            locked.last_submitted_at = now
            locked.submitted_at = locked.submitted_at or now
            fields += ["submission_count", "last_submitted_at", "submitted_at"]
        if new_status == S.INVITED:
            locked.stage = Stage.FULL  # the full proposal starts from the concept: same proposal, every answer kept
            fields.append("stage")
        locked.status = new_status
        locked.status_changed_at = locked.updated_at = now
        locked._change_reason = f"{previous.label} → {new_status.label}"
        locked.save(update_fields=fields)
        change = StatusChange.objects.create(
            proposal=locked,
            from_status=previous,
            to_status=new_status,
            changed_by=by,
            changed_at=now,
            note=note.strip(),
            stage=stage,
        )
        if is_decision(change, by):
            draft_decision(locked, change, by)  # staff read and send it from the outbox
        else:
            _notify_team(locked, change, by)
        if new_status == S.SUBMITTED:
            resubmission = locked.versions.filter(stage=locked.stage).exists()
            freeze_version(locked, by, now)
            _notify_staff_of_submission(locked, by, resubmission=resubmission)
            request_scoring(locked)
        elif new_status == S.WITHDRAWN:
            _notify_staff_of_withdrawal(locked, change, by)
    for field in (*fields, "match_requested_at"):
        setattr(proposal, field, getattr(locked, field))
    return change


def set_status_of_many(proposal_ids, new_status: S, by: User, note: str = "") -> list[StatusChange]:
    """Move the proposals ``proposal_ids`` to ``new_status``, all or nothing, each through set_proposal_status.

    Every move is checked first (under row locks, taken in primary-key order so two bulk moves cannot deadlock);
    if any is refused, BulkTransitionRefused names them all and nothing changes. Otherwise every move is made in
    one transaction with all its side effects (status history, notification rows, scoring requests); e-mails and
    tasks are queued only once it commits.
    """
    new_status = S(new_status)
    ids = sorted(set(proposal_ids))
    with transaction.atomic():
        locked = list(
            Proposal.objects.select_for_update(of=("self",)).select_related("call").filter(pk__in=ids).order_by("pk")
        )
        refusals = []
        for proposal in locked:
            try:
                check_transition(proposal, new_status, by)
            except TransitionError as error:
                refusals.append((proposal, str(error)))
        if refusals:
            raise BulkTransitionRefused(new_status, refusals)
        return [set_proposal_status(proposal, new_status, by, note) for proposal in locked]


def _team_accounts(proposal: Proposal) -> list[User]:
    members = [proposal.owner]
    members += [coi.user for coi in proposal.co_investigators.select_related("user") if coi.user]
    return members


STATUS_SENTENCES = {
    S.DRAFT: "was reopened to be improved",
    S.SUBMITTED: "was submitted",
    S.INVITED: "is invited to a full proposal",
    S.SCREENING: "is in the operations screening",
    S.UNDER_REVIEW: "is under review",
    S.REVISIONS_REQUESTED: "needs revisions",
    S.ACCEPTED: "was accepted",
    S.DECLINED: "was declined",
    S.WITHDRAWN: "was withdrawn",
}


def _notify_team(proposal: Proposal, change: StatusChange, by: User) -> None:
    """Tell everyone on the team except the person who made the move (they know). Staff decisions are not told
    here: their e-mails are drafted for the outbox (projects/domain/decisions.py)."""
    recipients = [member for member in _team_accounts(proposal) if member.pk != by.pk]
    new_status = S(change.to_status)
    subject, body = wording(
        NotificationKind.STATUS_CHANGE,
        {
            "proposal": proposal,
            "change": change,
            "by": by,
            "sentence": STATUS_SENTENCES[new_status],
            "from_status": S(change.from_status),
            "to_status": new_status,
        },
    )
    notify(
        recipients,
        NotificationKind.STATUS_CHANGE,
        subject=subject,
        body=body,
        dedupe_key=f"status:{proposal.public_id}:{change.pk}",
        url=proposal.get_absolute_url(),
        target=proposal,
    )


def _notify_staff_of_submission(proposal: Proposal, by: User, resubmission: bool = False) -> None:
    """Every submission and resubmission reaches program staff once (the count makes a resubmission new)."""
    call = proposal.call.code if proposal.call else "unsolicited"
    subject, body = wording(
        NotificationKind.SUBMISSION,
        {"proposal": proposal, "by": by, "call": call, "resubmission": resubmission},
    )
    notify(
        User.objects.program_staff(),
        NotificationKind.SUBMISSION,
        subject=subject,
        body=body,
        dedupe_key=f"submission:{proposal.public_id}:{proposal.submission_count}",
        url=reverse("admin:projects_proposal_change", args=[proposal.pk]),
        target=proposal,
    )


def _notify_staff_of_withdrawal(proposal: Proposal, change: StatusChange, by: User) -> None:
    """Staff stop reviewing a withdrawn proposal: tell them (the team is told by _notify_team)."""
    call = proposal.call.code if proposal.call else "unsolicited"
    subject, body = wording(
        NotificationKind.STATUS_CHANGE,
        {"proposal": proposal, "change": change, "by": by, "call": call},
        event="withdrawn",
    )
    notify(
        User.objects.program_staff(),
        NotificationKind.STATUS_CHANGE,
        subject=subject,
        body=body,
        dedupe_key=f"status:{proposal.public_id}:{change.pk}",
        url=reverse("admin:projects_proposal_change", args=[proposal.pk]),
        target=proposal,
    )
