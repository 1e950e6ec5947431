"""成长档案打包下载 on /manage/evaluation/archive/jobs/: ask for a branch's zip of a year, follow its
progress, download it (the requesting org and its ancestors only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from orgtree.models import Organization
from portal import uploads
from portal.decorators import org_actor_required
from portal.pagination import page_of
from portal.params import int_or_none
from portal.scope import get_in_scope
from services.members.views import error_text

from . import archive_jobs, selectors
from .models import ArchiveJob

PAGE_SIZE = 20


@org_actor_required
def job_list(request):
    """The org's archive jobs (newest first); POST asks for a new one (branch, year)."""
    if request.method == "POST":
        branch_pk = int_or_none(request.POST.get("branch"))
        branch = get_in_scope(request.actor, Organization.objects.all(), pk=branch_pk) if branch_pk \
            else request.actor.org
        try:
            job = archive_jobs.archive_job_start(actor=request.actor, branch=branch,
                                                 year=int_or_none(request.POST.get("year")))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(f"{request.path}?branch={branch.pk}")
        messages.success(request, "已开始打包，完成后将通过站内消息通知您")
        return redirect("evaluation:archive_job", job.pk)
    branch_pk = int_or_none(request.GET.get("branch"))
    branch = get_in_scope(request.actor, Organization.objects.all(), pk=branch_pk) if branch_pk else request.actor.org
    page = page_of(archive_jobs.jobs_of(request.actor), PAGE_SIZE, request.GET.get("page"))
    return render(request, "evaluation/archive_jobs.html", {
        "page": page, "jobs": page.object_list, "branch": branch, "years": selectors.year_choices(),
        "year": selectors.default_year()})


@org_actor_required
def job_detail(request, pk):
    job = archive_jobs.job_get(actor=request.actor, pk=pk)
    return render(request, "evaluation/archive_job.html", {
        "job": job, "open": job.status in (ArchiveJob.Status.QUEUED, ArchiveJob.Status.RUNNING)})


@require_GET
@org_actor_required
def job_download(request, pk):
    job = archive_jobs.job_get(actor=request.actor, pk=pk)
    if job.status != ArchiveJob.Status.DONE or not job.file:
        raise Http404("压缩包尚未生成或已失效")
    response = uploads.file_response(job.file, job.filename)
    response["Content-Type"] = "application/zip"
    return response
