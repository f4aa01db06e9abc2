"""Decision e-mails staff approve before they go.

A staff decision made through the transition table (projects/domain/transitions.py: encouraged to a full proposal,
revisions requested, accepted, declined) calls ``draft_decision``: the call's template for that decision (or the
default below when the call has none) is filled in and kept as a DecisionEmail in the outbox. Staff read it, edit
it, choose which reviewers' comments to quote, and send one, a selection or all with ``send_decisions``.

Sending claims the draft with a conditional update (``sent_at`` from empty to now), so a draft is sent once
whoever presses the button twice; the e-mail is then a notification (leoportal.domain.notifications.notify): a row per
team member first, e-mailed by a task after commit, and by the notification sweep if the broker was down.

Reviewers stay anonymous: only comments staff released are quoted, numbered ("Reviewer 1"), never named.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from leoportal.domain import claims
from leoportal.domain.notifications import absolute_url, notify
from leoportal.enums import NotificationKind
from leoportal.models import User
from projects.domain.introductions import team_accounts
from projects.enums import ProposalStatus as S
from projects.enums import Stage
from projects.models import DECISION_STATUSES, DecisionEmail, DecisionTemplate, Proposal, Review, StatusChange
from projects.models.decisions import PLACEHOLDER

DEFAULTS: dict[str, tuple[str, str]] = {
    S.INVITED: (
        "{call}: your concept summary “{title}” is encouraged",
        "Dear {pi_name},\n\n"
        "Program staff read your concept summary “{title}” for {call} and encourage you to submit a full proposal. "
        "The full proposal is open now, filled in from your concept: complete it and submit it by {deadline}.\n\n"
        "{note}\n\n{reviewer_comments}\n\n"
        "Your proposal: {proposal_url}",
    ),
    S.REVISIONS_REQUESTED: (
        "{call}: revisions requested for “{title}”",
        "Dear {pi_name},\n\n"
        "Program staff reviewed your {what} “{title}” for {call} and ask you to revise it before a decision. You can "
        "edit it again and resubmit it when it is ready.\n\n"
        "{note}\n\n{reviewer_comments}\n\n"
        "Your proposal: {proposal_url}",
    ),
    S.ACCEPTED: (
        "{call}: “{title}” is accepted",
        "Dear {pi_name},\n\n"
        "We are glad to tell you that your {what} “{title}” for {call} is accepted. Program staff will be in touch "
        "about the next steps towards flight.\n\n"
        "{note}\n\n{reviewer_comments}\n\n"
        "Your proposal: {proposal_url}",
    ),
    S.DECLINED: (
        "{call}: decision on “{title}”",
        "Dear {pi_name},\n\n"
        "Thank you for your {what} “{title}” for {call}. After review, program staff are not able to take it "
        "further in this call.\n\n"
        "{note}\n\n{reviewer_comments}\n\n"
        "Your proposal: {proposal_url}",
    ),
}


def template_for(call, decision: str) -> tuple[str, str]:
    """The call's subject and body for ``decision``, or the default wording when the call has none."""
    if call is not None:
        row = DecisionTemplate.objects.filter(call=call, decision=decision).first()
        if row is not None:
            return row.subject, row.body
    return DEFAULTS[S(decision)]


def ensure_templates(call) -> int:
    """Give ``call`` an editable template (the default wording) for every decision it has none for."""
    have = set(DecisionTemplate.objects.filter(call=call).values_list("decision", flat=True))
    missing = [
        DecisionTemplate(call=call, decision=decision, subject=DEFAULTS[decision][0], body=DEFAULTS[decision][1])
        for decision in DECISION_STATUSES
        if decision not in have
    ]
    DecisionTemplate.objects.bulk_create(missing)
    return len(missing)


def released_comments(proposal: Proposal) -> str:
    """The comments staff released, in the order the reviews came, numbered and never signed."""
    comments = (
        Review.objects.scored()
        .filter(proposal=proposal, comment_released=True)
        .exclude(comment="")
        .order_by("created_at", "id")
        .values_list("comment", flat=True)
    )
    parts = [f"Reviewer {number}:\n{comment.strip()}" for number, comment in enumerate(comments, start=1)]
    return "Comments from the reviewers:\n\n" + "\n\n".join(parts) if parts else ""


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda found: values.get(found.group(1).strip(), found.group(0)), text)


def _tidy(body: str) -> str:
    """Blank placeholders (no note, no released comment) leave no run of empty lines."""
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


def placeholder_values(proposal: Proposal, decision: str, note: str = "") -> dict[str, str]:
    call = proposal.call
    deadline = ""
    if call is not None and call.closes_at:
        deadline = timezone.localtime(call.closes_at).strftime("%-d %B %Y, %H:%M %Z")
    return {
        "pi_name": proposal.owner.display_name,
        "title": proposal.display_title,
        "call": call.code if call is not None else "unsolicited",
        "call_title": call.title if call is not None else "",
        "what": "concept summary" if proposal.stage == Stage.CONCEPT else "proposal",
        "decision": S(decision).label,
        "deadline": deadline,
        "note": note.strip(),
        "reviewer_comments": released_comments(proposal),
        "proposal_url": absolute_url(proposal.get_absolute_url()),
    }


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str


def render(proposal: Proposal, decision: str, note: str = "") -> Draft:
    subject, body = template_for(proposal.call, decision)
    values = placeholder_values(proposal, decision, note)
    return Draft(subject=" ".join(fill(subject, values).split())[:300], body=_tidy(fill(body, values)))


def is_decision(change: StatusChange, by: User) -> bool:
    return by.is_staff and change.to_status in DECISION_STATUSES


def draft_decision(proposal: Proposal, change: StatusChange, by: User) -> DecisionEmail:
    """Keep the decision's e-mail as a draft in the outbox (called by set_proposal_status, in its transaction)."""
    draft = render(proposal, change.to_status, change.note)
    return DecisionEmail.objects.create(
        proposal=proposal,
        status_change=change,
        decision=change.to_status,
        subject=draft.subject,
        body=draft.body,
        created_by=by,
    )


def edit_draft(email: DecisionEmail, subject: str, body: str, by: User | None) -> bool:
    """Save staff's wording; a draft already sent is left as it went (returns False)."""
    return bool(
        DecisionEmail.objects.filter(pk=email.pk, sent_at__isnull=True).update(
            subject=" ".join(subject.split())[:300], body=body.strip() + "\n", updated_at=timezone.now()
        )
    )


def release_comments(proposal: Proposal, review_ids) -> None:
    """Release exactly the comments of ``review_ids`` (submitted reviews of ``proposal``); withhold the rest."""
    reviews = Review.objects.scored().filter(proposal=proposal)
    wanted = [int(pk) for pk in review_ids]
    reviews.filter(pk__in=wanted).update(comment_released=True)
    reviews.exclude(pk__in=wanted).update(comment_released=False)


def redraft(email: DecisionEmail) -> bool:
    """Fill an unsent draft from its call's template again (after staff released comments); False if sent."""
    draft = render(email.proposal, email.decision, email.status_change.note)
    return edit_draft(email, draft.subject, draft.body, None)


@dataclass(frozen=True)
class Sending:
    sent: list[DecisionEmail]
    already_sent: list[DecisionEmail]

    def message(self) -> str:
        parts = []
        if self.sent:
            count = len(self.sent)
            parts.append(f"Sent {count} decision e-mail{'s' if count != 1 else ''} to the teams.")
        if self.already_sent:
            titles = "; ".join(f"“{email.proposal.display_title}”" for email in self.already_sent)
            count = len(self.already_sent)
            parts.append(
                f"{count} {'was' if count == 1 else 'were'} sent already and {'was' if count == 1 else 'were'} not "
                f"sent again: {titles}."
            )
        return " ".join(parts) or "Nothing to send: choose one or more drafts."


def send_decisions(emails, by: User) -> Sending:
    """Send each of ``emails`` once: claim it, then notify the team (rows now, e-mails after commit)."""
    sent, already = [], []
    for email in emails:
        with transaction.atomic():
            now = timezone.now()
            waiting = DecisionEmail.objects.filter(pk=email.pk, sent_at__isnull=True)
            if not claims.claim(waiting, sent_at=now, sent_by=by):
                already.append(email)
                continue
            email.refresh_from_db()
            proposal = email.proposal
            notify(
                team_accounts(proposal),
                NotificationKind.STATUS_CHANGE,
                subject=email.subject,
                body=email.body,
                dedupe_key=f"decision:{email.public_id}",
                url=proposal.get_absolute_url(),
                target=proposal,
            )
            sent.append(email)
    return Sending(sent=sent, already_sent=already)


def outbox(sent: bool = False):
    emails = DecisionEmail.objects.select_related("proposal__call", "proposal__owner", "created_by", "sent_by")
    return emails.filter(sent_at__isnull=not sent).order_by("-sent_at" if sent else "created_at", "id")
