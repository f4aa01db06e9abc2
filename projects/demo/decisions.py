"""The demo's decision outbox: each demo call gets the default decision e-mails to edit, and the demo's latest staff
decisions (revisions requested on the stem cell proposal, the autonomous crystal proposal accepted) wait there as
drafts for staff to read and send. Idempotent and quiet."""

from projects.domain import decisions
from projects.models import DECISION_STATUSES, Call, DecisionEmail, Proposal, StatusChange

DECIDED = ("demo-msc-expansion", "demo-autonomous-api")


def seed(log, users) -> None:
    staff = users.get("staff@example.org")
    if staff is None:
        return
    for call in Call.objects.filter(proposals__external_id__startswith="demo-").distinct():
        added = decisions.ensure_templates(call)
        log("decision-templates", call.code, "created" if added else "unchanged")
    for proposal in Proposal.objects.filter(external_id__in=DECIDED).select_related("call", "owner"):
        change = StatusChange.objects.filter(proposal=proposal).order_by("-changed_at", "-id").first()
        if change is None or change.to_status not in DECISION_STATUSES:
            continue
        if DecisionEmail.objects.filter(status_change=change).exists():
            log("decision-email", proposal.external_id, "unchanged")
            continue
        decisions.draft_decision(proposal, change, staff)
        log("decision-email", proposal.external_id, "created")
