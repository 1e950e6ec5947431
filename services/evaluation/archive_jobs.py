"""成长档案打包: a branch's archives of one year as one zip, built in the background (DESIGN §6).

The org asks on the 成长档案 page; :func:`archive_job_start` records an :class:`ArchiveJob` and queues
``services.evaluation.tasks.run_archive_job`` after commit. The task claims the row (queued → 打包中),
renders a 成长档案 PDF per member of the branch for that year (:func:`pdf.archive_pdf`, one
:func:`selectors.growth_archive` each) plus the branch's list, writes the zip to private storage and
tells the org through ``notify`` with a link to the job's page, where the zip is downloaded (the
requesting org and its ancestors only). A job lost or killed is re-queued by the sweeper
(``portal.jobs``) and fails for good after ``ARCHIVE_ATTEMPTS``, the org told by :func:`archive_give_up`.

Members of the year: those with a 年度注册 row of that year in the branch, and the branch's members in
good standing now (a year not yet evaluated has no rows).
"""

import logging
import tempfile
import zipfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from portal import jobs
from portal.audit import audit_record, register_actions
from services.members.models import IN_GOOD_STANDING, Member

from . import pdf, selectors
from .models import AnnualRegistration, ArchiveJob

logger = logging.getLogger(__name__)

ERR_RUNNING = "该团支部{year}年度的成长档案正在打包，请等待完成后再试"
ERR_NOT_BRANCH = "请选择一个团支部打包成长档案"
ERR_YEAR = "请选择要打包的年度"
ERR_FAILED = "打包过程中出现错误，请稍后重新打包"
ERR_GAVE_UP = "后台任务多次中断，未能完成打包，请重新打包"
DONE_TITLE = "成长档案打包完成"
FAILED_TITLE = "成长档案打包失败"
ARCHIVE_ATTEMPTS = 3
PROGRESS_EVERY = 10  # members between two progress writes
TASK = "services.evaluation.tasks.run_archive_job"

register_actions({"evaluation.archive_job": "成长档案打包"})


def archive_job_start(*, actor, branch, year):
    """Queue the zip of ``branch``'s archives of ``year`` (the branch resolved through the actor's scope).
    Refused while one for the same branch and year is queued or running."""
    if not branch.is_branch:
        raise ValidationError({"branch": ERR_NOT_BRANCH})
    if year not in selectors.year_choices():
        raise ValidationError({"year": ERR_YEAR})
    try:
        with transaction.atomic():
            job = ArchiveJob.objects.create(org=actor.org, branch=branch, year=year,
                                            user=actor.user if getattr(actor.user, "pk", None) else None)
            audit_record(actor=actor, action="evaluation.archive_job", obj=branch, after={"年度": year})
    except IntegrityError:  # the partial unique constraint: one queued or running job per branch and year
        raise ValidationError({"year": ERR_RUNNING.format(year=year)}) from None
    transaction.on_commit(lambda: jobs.enqueue(TASK, job.pk))
    return job


def members_of_year(branch, year):
    return (Member.objects.filter(Q(pk__in=AnnualRegistration.objects.filter(branch=branch, year=year)
                                    .values("member_id")) | (IN_GOOD_STANDING & Q(branch=branch)))
            .select_related("branch").order_by("name", "pk"))


def _list_row(archive, year, filename):
    reg = next((r for r in archive.years if r.year == year), None)
    return {"name": archive.member.name, "masked_id": archive.member.masked_id, "filename": filename,
            "grade": reg.get_grade_display() if reg and reg.grade else ("党员不参加评议" if reg else ""),
            "status": reg.get_status_display() if reg else "", "awards": len(archive.awards),
            "punishments": len(archive.punishments)}


def archive_job_run(job_id, now=None):
    """Build the zip. Idempotent: only a queued job runs (claimed queued → 打包中); the outcome is
    written only by the attempt that still holds the claim."""
    now = now or timezone.now()
    attempt = jobs.claim(ArchiveJob, job_id, queued=ArchiveJob.Status.QUEUED, running=ArchiveJob.Status.RUNNING,
                         now=now)
    if attempt is None:
        return None
    job = ArchiveJob.objects.select_related("branch", "org").get(pk=job_id)
    mine = ArchiveJob.objects.filter(pk=job.pk, status=ArchiveJob.Status.RUNNING, attempts=attempt)
    today = timezone.localdate()
    try:
        members = list(members_of_year(job.branch, job.year))
        mine.update(total=len(members), processed=0)
        rows = []
        with tempfile.TemporaryFile() as out:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
                for i, member in enumerate(members, 1):
                    archive = selectors.growth_archive(member, today)
                    filename = f"{i:03d}-{member.name}.pdf"
                    zf.writestr(filename, pdf.archive_pdf(archive, today=today))
                    rows.append(_list_row(archive, job.year, filename))
                    if i % PROGRESS_EVERY == 0:
                        mine.update(processed=i)
                zf.writestr("000-成长档案名单.pdf", pdf.branch_list_pdf(job.branch, job.year, rows, today=today))
            jobs.pause_for_tests("archive_run")
            size = out.tell()
            out.seek(0)
            name = ArchiveJob._meta.get_field("file").generate_filename(job, "archive.zip")
            stored = job.file.storage.save(name, File(out, name=name))
        with transaction.atomic():
            if not mine.update(status=ArchiveJob.Status.DONE, processed=len(members), file=stored, size=size,
                               finished_at=timezone.now()):
                job.file.storage.delete(stored)  # superseded by a re-queued attempt: keep nothing of ours
                return None
            _tell_done(job, len(members))
    except Exception:
        logger.exception("archive job %s failed", job_id)
        with transaction.atomic():
            if mine.update(status=ArchiveJob.Status.FAILED, error=ERR_FAILED, finished_at=timezone.now()):
                _tell_failed(job, ERR_FAILED)
        return ArchiveJob.Status.FAILED
    logger.info("archive job %s: %s members, %s bytes", job_id, len(members), size)
    return ArchiveJob.Status.DONE


def _tell_done(job, count):
    from services.messaging.services import notify

    notify(recipient=job.org, title=DONE_TITLE,
           body=f"{job.branch.full_name}{job.year}年度成长档案（{count}人）已打包完成，请点击查看并下载。",
           link=reverse("evaluation:archive_job", args=[job.pk]), subject=("evaluation.archive_job", job.pk))


def _tell_failed(job, reason):
    from services.messaging.services import notify

    notify(recipient=job.org, title=FAILED_TITLE, body=f"{job.branch.full_name}{job.year}年度成长档案打包失败：{reason}",
           link=reverse("evaluation:archive_job", args=[job.pk]), subject=("evaluation.archive_job", job.pk))


def archive_give_up(pks, now):
    """Tell each org whose archive job failed for good (set-based, once per job)."""
    from services.messaging.services import notify_many

    rows = ArchiveJob.objects.filter(pk__in=pks).values(
        recipient=F("org_id"), subject_id=F("pk"),
        body=Concat(F("branch__full_name"), F("year"), Value(f"年度成长档案打包失败：{ERR_GAVE_UP}"),
                    output_field=CharField()))
    return notify_many(orgs=rows, title=FAILED_TITLE, link=reverse("evaluation:archive_jobs"),
                       subject_type="evaluation.archive_failed", once=True, now=now)


def jobs_of(actor):
    """The archive jobs the actor's org may see: asked by it or by an org of its subtree, newest first."""
    from portal.scope import scoped

    return scoped(actor, ArchiveJob.objects.select_related("branch", "org"), org_field="org").order_by("-pk")


def job_get(*, actor, pk):
    from portal.scope import get_in_scope

    return get_in_scope(actor, ArchiveJob.objects.select_related("branch", "org"), org_field="org", pk=pk)


jobs.register(jobs.Job(
    model="evaluation.ArchiveJob", task=TASK, give_up=archive_give_up,
    queued=ArchiveJob.Status.QUEUED, running=ArchiveJob.Status.RUNNING, failed=ArchiveJob.Status.FAILED,
    max_attempts=ARCHIVE_ATTEMPTS, failed_fields=lambda now: {"finished_at": now, "error": ERR_GAVE_UP},
))
