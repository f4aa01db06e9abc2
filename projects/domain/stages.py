"""Where a proposal stands on its way to a decision, and what happens next: the stage bar of the proposal page.

Four stages, Draft → Submitted → Under review → Decision, each with the date the proposal reached it. Screening
belongs to "Submitted" and a request for revisions to "Under review". What happens next is said in a sentence,
and when, from the call's dates and from how long the portal's recent proposals stayed in the same status (the
median, see ``queries.typical_days_in_status``); nothing is promised that the data does not show.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.timesince import timeuntil

from projects.enums import CallState
from projects.enums import ProposalStatus as S
from projects.enums import Stage as ProposalStage

STAGES = ("Draft", "Submitted", "Under review", "Decision")
# A call with a concept step: the concept (draft and submitted) comes first, then the invited full proposal.
TWO_STAGES = ("Concept", "Full proposal", "Under review", "Decision")
STAGE_OF = {
    S.DRAFT: 0,
    S.SUBMITTED: 1,
    S.SCREENING: 1,
    S.UNDER_REVIEW: 2,
    S.REVISIONS_REQUESTED: 2,
    S.ACCEPTED: 3,
    S.DECLINED: 3,
}
# Statuses shown beside their stage's name ("Submitted: screening").
DETAIL = {
    S.SCREENING: "screening",
    S.REVISIONS_REQUESTED: "revisions requested",
    S.ACCEPTED: "accepted",
    S.DECLINED: "declined",
}
# How long proposals wait in a status, as the next sentence says it.
WAIT_SENTENCES = {
    S.SUBMITTED: "Screening has usually started within {wait} of submission",
    S.SCREENING: "The screen has usually taken {wait}",
    S.UNDER_REVIEW: "Reviews have usually taken {wait} to reach a decision",
}


@dataclass(frozen=True)
class Stage:
    label: str
    state: str  # "done", "current", "upcoming" or "stopped" (withdrawn there)
    reached: datetime | None = None
    detail: str = ""


@dataclass(frozen=True)
class Progress:
    stages: tuple[Stage, ...]
    where: str  # where the proposal is, in a sentence
    next_step: str  # what happens next
    when: str = ""  # when, if the call or the portal's recent proposals say it


def _day(moment: datetime) -> str:
    return format_date(timezone.localtime(moment), "j F Y")


def _deadline(moment: datetime) -> str:
    return format_date(timezone.localtime(moment), "j F Y, H:i T")


def _wait(days: float) -> str:
    if days < 1.5:
        return "about a day"
    if days < 14:
        return f"about {round(days)} days"
    return f"about {round(days / 7)} weeks"


def _index(status, proposal_stage, two_stage: bool) -> int | None:
    """The bar's stage of a status (at a proposal stage): a concept's draft and submission are its first stage."""
    if not two_stage:
        return STAGE_OF.get(status)
    if proposal_stage == ProposalStage.CONCEPT and status in (S.DRAFT, S.SUBMITTED):
        return 0
    if status == S.INVITED:
        return 1
    return {S.DRAFT: 0, S.DECLINED: 3}.get(status, STAGE_OF.get(status))


def _reached(history, stage: int, two_stage: bool = False) -> datetime | None:
    """When the proposal last arrived in ``stage``, from its status history (oldest first)."""
    arrivals = [
        change.changed_at for change in history if _index(change.to_status, _stage_after(change), two_stage) == stage
    ]
    return arrivals[-1] if arrivals else None


def _stage_after(change) -> str:
    return ProposalStage.FULL if change.to_status == S.INVITED else change.stage


def proposal_progress(proposal, history, missing_count: int, typical_days: dict, now=None) -> Progress:
    """The stage bar of ``proposal``. ``history``: its StatusChange rows, oldest first; ``missing_count``: what it
    still needs before it can be submitted; ``typical_days``: status -> days recent proposals spent in it."""
    now = now or timezone.now()
    status = S(proposal.status)
    two_stage = bool(proposal.call_id and proposal.call.concept_step)
    labels = TWO_STAGES if two_stage else STAGES
    if status == S.WITHDRAWN:
        last = next((change for change in reversed(history) if change.to_status == S.WITHDRAWN), None)
        stopped_at = _index(S(last.from_status), last.stage, two_stage) or 0 if last and last.from_status else 0
        stages = tuple(
            Stage(
                label,
                "done" if index < stopped_at else "stopped" if index == stopped_at else "upcoming",
                _reached(history, index, two_stage) if index <= stopped_at else None,
                "withdrawn" if index == stopped_at else "",
            )
            for index, label in enumerate(labels)
        )
        withdrawn_on = _day(last.changed_at) if last else _day(proposal.updated_at)
        return Progress(stages, f"Withdrawn on {withdrawn_on}.", "It is no longer reviewed or matched to hardware.", "")

    current = _index(status, proposal.stage, two_stage)
    # Every status has a stage but withdrawn (above) and invited on a one-stage call, which no transition makes.
    assert current is not None
    decided = status in (S.ACCEPTED, S.DECLINED)
    stages = tuple(
        Stage(
            label,
            "done"
            if index < current or (decided and index == current)
            else "current"
            if index == current
            else "upcoming",
            (proposal.created_at if index == 0 else _reached(history, index, two_stage)) if index <= current else None,
            _detail(proposal, status, two_stage) if index == current else "",
        )
        for index, label in enumerate(labels)
    )
    since = _reached(history, current, two_stage) or proposal.updated_at
    if two_stage and status == S.DECLINED and proposal.is_concept:
        since = proposal.status_changed_at
    where, next_step, when = _sentences(proposal, status, since, missing_count, now)
    if status in WAIT_SENTENCES and len(typical_days.get(status, ())) >= 3:
        samples = typical_days[status]
        when = (
            f"{WAIT_SENTENCES[status].format(wait=_wait(_median(samples)))} (the median of the last "
            f"{len(samples)} proposals). It shows here when it moves, and an e-mail follows."
        )
    elif status in WAIT_SENTENCES:
        when = "It shows here as soon as it moves, and an e-mail follows."
    return Progress(stages, where, next_step, when)


def _median(values) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _detail(proposal, status, two_stage: bool) -> str:
    if two_stage and proposal.is_concept:
        return {S.DRAFT: "draft", S.SUBMITTED: "submitted", S.DECLINED: "concept declined"}.get(status, "")
    if status == S.INVITED:
        return "invited"
    return DETAIL.get(status, "")


def _sentences(proposal, status, since, missing_count, now) -> tuple[str, str, str]:
    if proposal.is_concept:
        concept = _concept_sentences(proposal, status, since, missing_count, now)
        if concept:
            return concept
    if status == S.INVITED:
        return (
            f"Invited to a full proposal on {_day(proposal.status_changed_at)}.",
            "Complete the full proposal (it starts from your concept summary) and submit it."
            + (
                f" {missing_count} item{'s' if missing_count != 1 else ''} still needed, listed below."
                if missing_count
                else ""
            ),
            _deadline_sentence(proposal.call, now),
        )
    if status == S.DRAFT:
        where = "A draft: only your team sees it."
        if missing_count:
            things = "item" if missing_count == 1 else "items"
            next_step = f"Complete the {missing_count} {things} still needed (listed below), then submit it."
        else:
            next_step = "It has everything a submission needs: submit it when your team is ready."
        return where, next_step, _deadline_sentence(proposal.call, now)
    if status == S.SUBMITTED:
        return (
            f"Submitted on {_day(since)}.",
            "Program staff screen it for flight feasibility (the operations screen) and then send it to review.",
            "",
        )
    if status == S.SCREENING:
        return (
            f"In the operations screen since {_day(since)}.",
            "Staff check that it can fly; then they send it to scientific review, ask you for revisions or decline it.",
            "",
        )
    if status == S.UNDER_REVIEW:
        return (
            f"Under review since {_day(since)}.",
            "Reviewers score its scientific merit, need for microgravity, feasibility, and Earth and commercial "
            "value; program staff then decide.",
            "",
        )
    if status == S.REVISIONS_REQUESTED:
        return (
            f"Program staff asked for revisions on {_day(since)}.",
            "Revise it as their note says, then resubmit: it goes back to screening.",
            "It waits for you: nothing moves until you resubmit.",
        )
    if status == S.ACCEPTED:
        return (
            f"Accepted on {_day(since)}.",
            "Program staff contact you about the flight: the implementation partner and facility, payload "
            "integration and safety reviews.",
            "",
        )
    return (
        f"Declined on {_day(since)}.",
        "The status history below says why. You can start a new proposal for another call.",
        "",
    )


def _concept_sentences(proposal, status, since, missing_count, now) -> tuple[str, str, str] | None:
    call = proposal.call
    if status == S.DRAFT:
        if missing_count:
            things = "item" if missing_count == 1 else "items"
            next_step = f"Complete the {missing_count} {things} still needed (listed below), then submit the concept."
        else:
            next_step = "It has everything a concept needs: submit it when your team is ready."
        if now < call.concept_closes_at:
            when = (
                f"Concept summaries for {call.code} are due on {_deadline(call.concept_closes_at)} "
                f"({timeuntil(call.concept_closes_at, now)} left)."
            )
        else:
            when = f"Concept summaries for {call.code} were due on {_deadline(call.concept_closes_at)}."
        return "A concept summary draft: only your team sees it.", next_step, when
    if status == S.SUBMITTED:
        return (
            f"Concept summary submitted on {_day(since)}.",
            "Program staff read it and invite promising teams to a full proposal, or send feedback.",
            f"Full proposals are due on {_deadline(call.closes_at)}.",
        )
    if status == S.DECLINED:
        return (
            f"Concept declined on {_day(since)}.",
            "The status history below gives program staff's feedback. You can start a proposal for another call.",
            "",
        )
    return None


def _deadline_sentence(call, now) -> str:
    if call is None:
        return "Unsolicited proposals can be submitted at any time."
    state = call.state(now)
    if state == CallState.OPEN:
        return f"{call.code} closes on {_deadline(call.closes_at)} ({timeuntil(call.closes_at, now)} left)."
    if state == CallState.UPCOMING:
        return f"{call.code} opens on {_deadline(call.opens_at)}; submit between then and {_deadline(call.closes_at)}."
    return f"{call.code} closed on {_deadline(call.closes_at)}: choose an open call in the form to submit it."
