"""数据统计's downloads: every drill-down list as .xlsx through ``portal.exports`` (write-only, streamed,
ID numbers masked). A list of at most :data:`BACKGROUND_ROWS` rows streams in the request; a bigger one
runs as a :class:`StatExport` background job (django-q2) with progress, stored privately, served only to
the org that asked, and announced in 我的消息 when done. One such job per org and list at a time.
"""

import logging
import tempfile
import uuid
from dataclasses import dataclass
from itertools import islice
from typing import Callable

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from orgtree.models import Organization
from orgtree.rules import Industry
from portal import jobs
from portal.actors import ORG_ADMIN, Actor
from portal.audit import audit_record, register_actions
from portal.idcard import mask
from portal.exports import Sheet, write_workbook, xlsx_response

from . import selectors
from .models import StatExport

logger = logging.getLogger(__name__)

BACKGROUND_ROWS = 10_000  # more rows than this: a background job
MAX_ROWS = 1_000_000  # an Excel sheet holds 1,048,576 rows
CHUNK = 1000
PROGRESS_EVERY = 5000
TASK = "services.statistics.downloads.run_export"
ERR_RUNNING = "该列表正在后台导出，请等待完成后再试"
ERR_TOO_MANY = f"数据超过{MAX_ROWS}条，无法导出到一个表格，请选择下级组织分别导出"
DONE_TITLE = "数据统计导出完成"
FAILED_TITLE = "数据统计导出失败"

register_actions({"statistics.export": "导出数据统计"})


def actor_for_org(org):
    """The scope of a background job: its org's subtree, as the org itself would see it."""
    return Actor(kind=ORG_ADMIN, org=org, label=org.full_name)


def _date(value):
    return value.date() if hasattr(value, "date") else value


def _industry(org):
    return Industry(org.industry).label if org.industry else "未填写"


ORG_HEADERS = ["团组织全称", "上级组织全称", "组织类型", "行业类别", "组织建立时间", "团员人数"]
EMPTY_HEADERS = ["团组织全称", "上级组织全称", "组织类型", "组织建立时间", "团员人数"]
MEMBER_HEADERS = ["姓名", "身份证号码", "所在团支部", "报到状态", "团籍状态", "入团年月"]
TRANSFER_HEADERS = ["姓名", "身份证号码", "转出团支部", "转入团支部", "状态", "申请时间"]
CADRE_HEADERS = ["姓名", "身份证号码", "团干所属组织", "团内现任职务", "团干部性质", "是否入驻企业号"]


def _chunks(qs):
    it = qs.iterator(chunk_size=CHUNK)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def org_cells(row):
    o = row.org
    return [o.full_name, row.parent_name, o.type_label, _industry(o), _date(o.created_at), row.members]


def empty_cells(row):
    o = row.org
    return [o.full_name, row.parent_name, o.type_label, _date(o.created_at), row.members]


def member_cells(m):
    return [m.name, m.masked_id, m.branch.full_name, m.get_registration_status_display(),
            m.get_league_status_display(), f"{m.joined_league:%Y-%m}"]


def cadre_cells(c):
    return [c.person.name, mask(c.person.id_number), c.org.full_name, c.title, c.get_nature_display(),
            "是" if c.person.joined_work_at else "否"]


def transfer_cells(t):
    target = t.to_branch.full_name if t.to_branch_id else f"{t.out_province}{t.out_org}（省外）"
    return [t.member.name, t.member.masked_id, t.from_branch.full_name, target, t.get_status_display(),
            timezone.localtime(t.applied_at).strftime("%Y-%m-%d %H:%M")]


@dataclass(frozen=True)
class ListKind:
    """One drill-down list: its query from the parameters, its header, and its cells per chunk of rows."""

    title: Callable  # (org, params) -> file title
    headers: list
    query: Callable  # (actor, org, params) -> queryset
    rows: Callable  # (chunk, params) -> list of cell lists


def _month(params):
    return selectors.parse_month(params.get("month"))[0]


LISTS = {
    "empty": ListKind(
        lambda org, p: f"{selectors.EMPTY_KINDS[p['kind']][1]}列表_{org.short_name}_{_month(p):%Y%m}",
        EMPTY_HEADERS,
        lambda actor, org, p: selectors.empty_orgs(actor, org, _month(p), p["kind"]),
        lambda chunk, p: [empty_cells(r) for r in selectors.empty_rows(chunk)]),
    "orgs": ListKind(
        lambda org, p: f"团组织明细_{org.short_name}_{_month(p):%Y%m}",
        ORG_HEADERS,
        lambda actor, org, p: selectors.subtree_orgs(actor, org, p.get("kind", "all"), p.get("industry"),
                                                     p.get("org_type")),
        lambda chunk, p: [org_cells(r) for r in selectors.org_rows(chunk, _month(p))]),
    "members": ListKind(
        lambda org, p: f"{selectors.MEMBER_KINDS[p['kind']][1]}名单_{org.short_name}",
        MEMBER_HEADERS,
        lambda actor, org, p: selectors.members(actor, org, p["kind"]),
        lambda chunk, p: [member_cells(m) for m in chunk]),
    "cadres": ListKind(
        lambda org, p: f"{selectors.CADRE_KINDS[p['kind']]}名单_{org.short_name}",
        CADRE_HEADERS,
        lambda actor, org, p: selectors.cadres(actor, org, p["kind"]),
        lambda chunk, p: [cadre_cells(c) for c in chunk]),
    "transfers": ListKind(
        lambda org, p: f"{selectors.TRANSFER_KINDS[p['kind']]}名单_{org.short_name}",
        TRANSFER_HEADERS,
        lambda actor, org, p: selectors.transfers(actor, org, p["kind"]),
        lambda chunk, p: [transfer_cells(t) for t in chunk]),
}


def _cells(kind, qs, params, progress=None):
    written = 0
    for chunk in _chunks(qs):
        yield from LISTS[kind].rows(chunk, params)
        written += len(chunk)
        if progress and written % PROGRESS_EVERY < CHUNK:
            progress(written)


def _key(kind, org, params):
    return f"{kind}:{org.pk}:" + "&".join(f"{k}={params[k]}" for k in sorted(params))[:150]


def download(*, actor, org, kind, params):
    """The .xlsx of a list: a streamed response, or a background job (returned) past BACKGROUND_ROWS rows.

    Raises ValidationError (Chinese) when the same list is still being exported."""
    spec = LISTS[kind]
    qs = spec.query(actor, org, params)
    title = spec.title(org, params)
    big = qs[: BACKGROUND_ROWS + 1].count() > BACKGROUND_ROWS  # the job itself refuses over MAX_ROWS
    audit_record(actor=actor, action="statistics.export", obj=org,
                 after={"列表": title, "方式": "后台导出" if big else "直接下载", **params})
    if not big:
        return xlsx_response(f"{title}.xlsx", [Sheet(title[:31], spec.headers, _cells(kind, qs, params))])
    return start_job(actor=actor, org=org, kind=kind, params=params, title=title)


def start_job(*, actor, org, kind, params, title):
    key = _key(kind, org, params)
    if StatExport.objects.filter(org=actor.org, key=key, status__in=("queued", "running")).exists():
        raise ValidationError(ERR_RUNNING)
    try:
        with transaction.atomic():
            job = StatExport.objects.create(org=actor.org, user=actor.user if getattr(actor.user, "pk", None) else None,
                                            kind=kind, params={**params, "org": org.pk}, key=key, title=title)
    except IntegrityError:  # a second click raced the first
        raise ValidationError(ERR_RUNNING) from None
    transaction.on_commit(lambda: jobs.enqueue(TASK, job.pk))
    return job


def run_export(pk):
    """The task: claim the queued job, write the workbook to a temporary file with progress, keep it in
    private storage, tell the org. Idempotent: only a queued job runs; the sweeper re-queues a lost one."""
    attempt = jobs.claim(StatExport, pk, queued=StatExport.Status.QUEUED, running=StatExport.Status.RUNNING)
    if attempt is None:
        return None
    job = StatExport.objects.select_related("org").get(pk=pk)
    try:
        params = dict(job.params)
        org = Organization.objects.get(pk=params.pop("org"))
        actor = actor_for_org(job.org)
        if not org.path.startswith(job.org.path):
            raise ValueError("org outside the job's scope")
        spec = LISTS[job.kind]
        qs = spec.query(actor, org, params)
        total = qs.count()
        if total > MAX_ROWS:
            StatExport.objects.filter(pk=pk, status=StatExport.Status.RUNNING, attempts=attempt).update(
                status=StatExport.Status.FAILED, total=total, error=ERR_TOO_MANY, finished_at=timezone.now())
            _tell(job, FAILED_TITLE, f"“{job.title}”{ERR_TOO_MANY}。")
            return StatExport.Status.FAILED
        StatExport.objects.filter(pk=pk).update(total=total)

        def progress(n):
            StatExport.objects.filter(pk=pk, attempts=attempt).update(processed=n)

        with tempfile.TemporaryFile() as out:
            write_workbook(out, [Sheet(job.title[:31], spec.headers, _cells(job.kind, qs, params, progress))])
            out.seek(0)
            job.file.save(f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx", File(out), save=False)  # a random name
    except Exception:
        logger.exception("statistics export %s failed", pk)
        StatExport.objects.filter(pk=pk, status=StatExport.Status.RUNNING, attempts=attempt).update(
            status=StatExport.Status.FAILED, error="系统繁忙，请稍后再试！", finished_at=timezone.now())
        _tell(job, FAILED_TITLE, f"“{job.title}”导出失败，请稍后重新导出。")
        return StatExport.Status.FAILED
    done = StatExport.objects.filter(pk=pk, status=StatExport.Status.RUNNING, attempts=attempt).update(
        status=StatExport.Status.DONE, file=job.file.name, processed=total, finished_at=timezone.now())
    if done:
        _tell(job, DONE_TITLE, f"您申请导出的“{job.title}”（共{total}条）已生成，请点击查看并下载。")
    else:  # superseded by a later attempt: drop this file
        job.file.storage.delete(job.file.name)
    return StatExport.Status.DONE


def _tell(job, title, body):
    from services.messaging.services import notify

    notify(recipient=job.org, title=title, body=body, link=reverse("statistics:export_job", args=[job.pk]),
           subject=("statistics.export", job.pk))


def give_up(pks, now):
    from services.messaging.services import notify_many

    from django.db.models import CharField, F, Value
    from django.db.models.functions import Concat

    rows = StatExport.objects.filter(pk__in=pks).values(
        recipient=F("org_id"), subject_id=F("pk"),
        body=Concat(Value("“"), F("title"), Value("”多次尝试仍未能生成，请重新导出。"), output_field=CharField()))
    return notify_many(orgs=rows, title=FAILED_TITLE, link=reverse("statistics:overview"),
                       subject_type="statistics.export_failed", once=True, now=now)


jobs.register(jobs.Job(
    model="statistics.StatExport", task=TASK, give_up=give_up, queued=StatExport.Status.QUEUED,
    running=StatExport.Status.RUNNING, failed=StatExport.Status.FAILED,
    failed_fields=lambda now: {"finished_at": now, "error": "后台任务多次中断，请重新导出"},
))


def job_for(actor, pk):
    """An export job, only for the org that asked (404 for anyone else)."""
    from django.http import Http404

    job = StatExport.objects.filter(pk=pk, org=actor.org).first() if actor.acts_for_org else None
    if job is None:
        raise Http404("未找到该记录")
    return job

