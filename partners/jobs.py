"""Background jobs of the partners app (leoportal.domain.jobs): a large capability import."""

from leoportal.domain import jobs
from partners.domain import uploads


@jobs.job_kind(uploads.CAPABILITY_IMPORT, all_or_nothing=True, links=uploads.import_links)
def import_capabilities(job, output, progress):
    """params: {"upload_id", "organisation_id", "digest"}: the upload and the plan its admin confirmed."""
    return jobs.JobResult(summary=uploads.import_in_background(job, progress))
