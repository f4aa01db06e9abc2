"""The pages of a background job (leoportal.domain.jobs): its progress page, the status it polls, the result download.

Only the job's owner sees any of them; anyone else gets a 404.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from leoportal.domain import jobs


def _own_job(request, public_id):
    return get_object_or_404(jobs.jobs_of(request.user), public_id=public_id)


def _download_url(job) -> str:
    return reverse("job_download", args=[job.public_id])


@never_cache
@login_required
@require_GET
def job_detail(request, public_id):
    job = _own_job(request, public_id)
    context = {
        "job": job,
        "status": jobs.status(job, _download_url(job)),
        "links": jobs.links(job),
        "retention_hours": settings.JOB_RESULT_RETENTION_HOURS,
    }
    return render(request, "leoportal/job_detail.html", context)


@never_cache
@login_required
@require_GET
def job_status(request, public_id):
    job = _own_job(request, public_id)
    return JsonResponse(jobs.status(job, _download_url(job)))


@never_cache
@login_required
@require_GET
def job_download(request, public_id):
    job = _own_job(request, public_id)
    if not job.has_download:
        raise Http404("This job has no file to download (not finished, failed, or deleted after its retention).")
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    return FileResponse(handle, as_attachment=True, filename=job.result_name, content_type=job.result_content_type)
