"""Background jobs of the projects app (leoportal.domain.jobs): the review desk's large CSV exports, a panel's suggested
assignments."""

import io

from django.utils import timezone

from leoportal.domain import jobs
from projects.domain import csv_export, panel_suggestions
from projects.models import Call

PROPOSAL_CSV = "projects.proposal_csv"


@jobs.job_kind(PROPOSAL_CSV)
def export_proposals_csv(job, output, progress):
    """params: {"proposal_ids": [...]} in the order staff saw them (the permission was checked when it started)."""
    ids = [int(pk) for pk in job.params.get("proposal_ids", [])]
    text = io.TextIOWrapper(output, encoding=csv_export.ENCODING, newline="")
    csv_export.write_csv(ids, text, progress)
    text.flush()
    text.detach()  # leave the binary file open for the job runner to store
    return jobs.JobResult(filename=csv_export.filename(job.created_at or timezone.now()), content_type="text/csv")


def start_proposal_export(user, proposal_ids: list[int], return_url: str = ""):
    count = len(proposal_ids)
    return jobs.start_job(
        user,
        PROPOSAL_CSV,
        label=f"CSV export of {count:,} proposal{'s' if count != 1 else ''}",
        params={"proposal_ids": list(proposal_ids), "return_url": return_url, "return_label": "Back to the proposals"},
        total=count,
    )


@jobs.job_kind(panel_suggestions.JOB_KIND)
def suggest_reviewers(job, output, progress):
    """params: {"call_id": ...} (staff were checked when it started). The suggestions are rows the panel page shows."""
    call = Call.objects.filter(pk=job.params.get("call_id")).first()
    if call is None:
        raise jobs.JobError("The call was deleted; there is nothing to suggest.")
    panel_suggestions.compute_suggestions(call, progress=progress)
