"""Background jobs of the projects app (leoportal.jobs): the review desk's large CSV exports."""

import io

from django.utils import timezone

from leoportal import jobs
from projects.domain import csv_export

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
