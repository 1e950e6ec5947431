"""批量导入团干 (reference §2.1.4): an .xlsx template; every row validated first; all or nothing.

A row that is wrong is reported with its row number and a Chinese reason; nothing is imported
unless every row is right. Files above ``INLINE_BYTES`` run as a django-q2 job while the page
shows progress; smaller ones run in the request through the same code.
"""

import logging
from datetime import date, datetime
from itertools import zip_longest

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from orgtree.validators import email_validator, is_mobile
from portal import idcard, jobs, spreadsheets
from portal import text as free_text
from portal.actors import actor_for_user
from portal.audit import audit_record
from portal.exports import Sheet, workbook_bytes
from portal.people import (ERR_NAME_DIGITS, NATION_CHOICES, NATION_OTHER, PoliticalStatus, life_date_problems,
                           name_has_digits)

from portal import wechat
from services.messaging.delivery import enqueue

from . import directory
from .models import CadreImport, CadreNature, CadrePerson, CadrePost, ContactSync, Education
from .services import ERR_ALREADY_HERE, ERR_PHONE_TAKEN, person_age_problem

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
INLINE_BYTES = 20 * 1024  # about 200 rows: checked in the request; bigger files run as a job
PROGRESS_EVERY = 500
YES_NO = {"是": True, "否": False}

# (header, key, required, choices label -> value or None)
COLUMNS = [
    ("姓名", "name", True, None),
    ("证件类型", "id_type", False, {label: value for value, label in idcard.IdType.choices}),
    ("身份证号码", "id_number", True, None),
    ("手机号码", "phone", True, None),
    ("民族", "nation", True, {label: value for value, label in NATION_CHOICES}),
    ("民族名称", "nation_name", False, None),
    ("政治面貌", "political_status", True, {label: value for value, label in PoliticalStatus.choices}),
    ("文化程度", "education", True, {label: value for value, label in Education.choices}),
    ("入团年月", "joined_league", False, "month"),
    ("团内现任职务", "title", True, None),
    ("团干部性质", "nature", True, {label: value for value, label in CadreNature.choices}),
    ("任现职年月", "took_office", False, "month"),
    ("是否同级党委（支部）成员", "party_committee_member", False, YES_NO),
    ("学习工作单位", "work_unit", False, None),
    ("电子邮箱", "email", False, None),
]
HEADERS = [c[0] for c in COLUMNS]

# The upload-reading rule shared by every import (portal.spreadsheets): size, zip, bombs.
LIMITS = spreadsheets.Limits(max_rows=MAX_ROWS, max_columns=len(COLUMNS), max_bytes=MAX_BYTES)
ERR_FILE_TYPE = spreadsheets.ERR_FILE_TYPE
ERR_FILE_SIZE = spreadsheets.ERR_FILE_SIZE.format(mb=MAX_BYTES // spreadsheets.MB)
ERR_HEADERS = "表头与模板不一致，请下载最新模板填写"
ERR_EMPTY = "文件中没有团干数据"
ERR_TOO_MANY = spreadsheets.ERR_ROWS.format(n=MAX_ROWS)


TEMPLATE_NOTES = [
    "1. 第2行为示例，导入前请删除。带“选项”的列请从下拉列表中选择。",
    "2. 必填：姓名、身份证号码、手机号码、民族、政治面貌、文化程度、团内现任职务、团干部性质。",
    "3. 年月格式为 2023-01；不能晚于当前时间。",
    "4. 已是其他组织团干的，只导入本组织的职务信息，基本信息以首次录入为准。",
    "5. 任一行有误时整个文件都不会导入，请按提示修改后重新上传。",
    "6. 录入范围：团的领导机关、基层团委、团工委录入本委员会委员及机构工作人员；团总支录入本总支部委员；团支部仅需录入本支部书记。",
]


def template_workbook():
    """The template to download: headers, dropdowns for the enumerations, a sheet of notes."""
    example = ["王志强", "普通居民身份证", "（18位身份证号码）", "13800138000", "汉族", "", "共青团员", "普通本科",
               "2010-05", "书记", "专职", "2023-01", "否", "广州市天河区某单位", "example@12355.net"]
    widths, validations, option_columns = {}, [], []
    for col, (header, _key, _required, choices) in enumerate(COLUMNS, start=1):
        widths[col] = max(12, len(header) * 2 + 2)
        option_columns.append(list(choices) if isinstance(choices, dict) else [])
        if isinstance(choices, dict):
            letter = get_column_letter(col)
            dv = DataValidation(type="list", formula1=f"=选项!${letter}$2:${letter}${len(choices) + 1}",
                                allow_blank=True)
            dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            validations.append(dv)
    option_headers = [header if options else None for (header, *_), options in zip(COLUMNS, option_columns)]
    option_rows = zip_longest(*option_columns)
    return workbook_bytes([
        Sheet("团干信息", HEADERS, [example], widths=widths, validations=validations),
        Sheet("选项", option_headers, option_rows),
        Sheet("填写说明", [TEMPLATE_NOTES[0]], [[line] for line in TEMPLATE_NOTES[1:]]),
    ])


def import_create(*, actor, upload):
    """Accept an upload (checked for type and size) as a queued import of the actor's org."""
    actor.require_org_actor()
    name = upload.name or ""
    content = spreadsheets.read_upload(upload, LIMITS)
    spreadsheets.inspect_xlsx(content, LIMITS)  # a bomb is refused here, before it is queued
    return CadreImport.objects.create(org=actor.org, user=actor.user, ip=actor.ip, filename=name[:200],
                                      content=content)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _month(value):
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = _cell_text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "")
    parts = text.split("-")
    return date(int(parts[0]), int(parts[1]), 1)


def _read_rows(content):
    rows = spreadsheets.iter_first_sheet(content, LIMITS)
    header = [_cell_text(v) for v in next(rows, ())]
    if header[: len(HEADERS)] != HEADERS:
        rows.close()
        raise ValidationError(ERR_HEADERS)
    data = []
    for number, values in enumerate(rows, start=2):
        values = list(values[: len(HEADERS)]) + [None] * (len(HEADERS) - len(values))
        if all(_cell_text(v) == "" for v in values):
            continue
        data.append((number, values))
        if len(data) > MAX_ROWS:
            rows.close()
            raise ValidationError(ERR_TOO_MANY)
    if not data:
        raise ValidationError(ERR_EMPTY)
    return data


def _parse(values):
    """One row → (data, [reasons])."""
    data, reasons = {}, []
    for (header, key, required, choices), raw in zip(COLUMNS, values):
        text = _cell_text(raw)
        if text == "":
            if required:
                reasons.append(f"{header}不能为空")
            data[key] = None if choices else ""
            continue
        if choices == "month":
            try:
                data[key] = _month(raw)
            except (ValueError, IndexError):
                reasons.append(f"{header}格式不正确（应为 2023-01）")
                continue
            if data[key] > timezone.localdate():
                reasons.append(f"{header}不能大于当前时间")
                data[key] = None  # said once; the range rule below need not say it again
        elif isinstance(choices, dict):
            if text not in choices:
                reasons.append(f"{header}“{text}”不在可选范围内")
            data[key] = choices.get(text)
        else:
            if problem := free_text.text_problem(text, label=header):
                reasons.append(problem)
            data[key] = free_text.normalise(text)
    data["id_type"] = data.get("id_type") or idcard.IdType.RESIDENT
    data["party_committee_member"] = bool(data.get("party_committee_member"))
    if data.get("id_number"):
        try:
            data["id_number"] = idcard.validate_id_number(data["id_number"], data["id_type"])
        except ValidationError as exc:
            reasons.append(exc.messages[0])
        else:
            if problem := person_age_problem(data):
                reasons.append(problem)
    birth = None
    if data.get("id_number") and int(data["id_type"]) == idcard.IdType.RESIDENT:
        try:
            birth = idcard.birth_date(idcard.validate_id_number(data["id_number"]))
        except (ValidationError, ValueError):
            pass  # reported above
    if birth is None or not person_age_problem(data):  # a wrong birth date is said once, above
        reasons.extend(life_date_problems(data, birth=birth, today=timezone.localdate()).values())
    if name_has_digits(data.get("name")):
        reasons.append(ERR_NAME_DIGITS)
    if data.get("phone") and not is_mobile(data["phone"]):
        reasons.append("手机号码不正确")
    if data.get("nation") == NATION_OTHER and not data.get("nation_name"):
        reasons.append("民族为“其他”时请填写民族名称")
    if data.get("email"):
        try:
            email_validator(data["email"])
        except ValidationError:
            reasons.append("电子邮箱不正确")
    for key, limit in (("name", 99), ("title", 99), ("work_unit", 49), ("email", 49), ("nation_name", 99)):
        if data.get(key) and len(data[key]) > limit:
            reasons.append(f"{dict((c[1], c[0]) for c in COLUMNS)[key]}不能超过{limit}字")
    return data, reasons


def _validate(job, rows):
    """Every row against the rules, the file itself and the database. Returns (parsed rows, errors)."""
    parsed, errors = [], []
    seen_id, seen_phone = {}, {}
    for i, (number, values) in enumerate(rows, start=1):
        data, reasons = _parse(values)
        number_id, phone = data.get("id_number"), data.get("phone")
        if number_id and number_id in seen_id:
            reasons.append(f"身份证号码与第{seen_id[number_id]}行重复")
        elif number_id:
            seen_id[number_id] = number
        if phone and phone in seen_phone:
            reasons.append(f"手机号码与第{seen_phone[phone]}行重复")
        elif phone:
            seen_phone[phone] = number
        parsed.append((number, data, reasons))
        if i % PROGRESS_EVERY == 0:
            CadreImport.objects.filter(pk=job.pk).update(processed=i)
    ids = [d["id_number"] for _, d, r in parsed if d.get("id_number")]
    persons = {}
    for chunk in range(0, len(ids), 1000):
        persons.update({p.id_number: p for p in CadrePerson.objects.filter(id_number__in=ids[chunk:chunk + 1000])})
    here = set(CadrePost.objects.filter(org=job.org, person__id_number__in=list(persons)).values_list(
        "person__id_number", flat=True)) if persons else set()
    phones = [d["phone"] for _, d, _ in parsed if d.get("phone")]
    phone_owner = {}
    for chunk in range(0, len(phones), 1000):
        phone_owner.update(dict(CadrePerson.objects.filter(phone__in=phones[chunk:chunk + 1000]).values_list(
            "phone", "id_number")))
    for number, data, reasons in parsed:
        if data.get("id_number") in here:
            reasons.append(ERR_ALREADY_HERE)
        owner = phone_owner.get(data.get("phone"))
        if owner and owner != data.get("id_number"):
            reasons.append(ERR_PHONE_TAKEN)
        if reasons:
            errors.append([number, "；".join(dict.fromkeys(reasons))])
    return parsed, persons, errors


class Superseded(Exception):
    """The sweeper gave this job to a later attempt while this one ran (its worker was thought dead)."""


def _holds_claim(job, attempt):
    """Lock the job row and tell whether this attempt still holds it (the sweeper's re-queue waits)."""
    return CadreImport.objects.select_for_update().filter(
        pk=job.pk, status=CadreImport.Status.RUNNING, attempts=attempt).exists()


@transaction.atomic
def _import(job, parsed, persons, attempt=None):
    if attempt is not None and not _holds_claim(job, attempt):
        raise Superseded
    new_people = [
        CadrePerson(id_type=d["id_type"], id_number=d["id_number"], name=d["name"], phone=d["phone"],
                    nation=d["nation"], nation_name=d.get("nation_name") or "", political_status=d["political_status"],
                    education=d["education"], joined_league=d.get("joined_league"), first_org=job.org,
                    birth_date=idcard.birth_date(d["id_number"]) if d["id_type"] == idcard.IdType.RESIDENT else None,
                    sex=idcard.sex(d["id_number"]) if d["id_type"] == idcard.IdType.RESIDENT else None)
        for _, d, _ in parsed if d["id_number"] not in persons
    ]
    CadrePerson.objects.bulk_create(new_people, batch_size=2000)
    ids = {p.id_number: p.pk for p in new_people if p.pk}
    if len(ids) < len(new_people):  # a backend that does not return ids from bulk inserts
        wanted = [p.id_number for p in new_people]
        for chunk in range(0, len(wanted), 1000):
            ids.update(CadrePerson.objects.filter(id_number__in=wanted[chunk:chunk + 1000]).values_list(
                "id_number", "pk"))
    ids.update({number: p.pk for number, p in persons.items()})
    names = {number: p.name for number, p in persons.items()}
    posts = CadrePost.objects.bulk_create([
        CadrePost(person_id=ids[d["id_number"]], org=job.org, title=d["title"], nature=d["nature"],
                  took_office=d.get("took_office"), party_committee_member=d["party_committee_member"],
                  work_unit=d.get("work_unit") or "", email=d.get("email") or "",
                  search_text=f"{names.get(d['id_number'], d['name'])} {d['title']} {job.org.full_name} "
                              f"{job.org.short_name}"[:300])
        for _, d, _ in parsed
    ], batch_size=2000)
    post_ids = {p.person_id: p.pk for p in posts if p.pk}
    if len(post_ids) < len(posts):  # a backend that does not return ids from bulk inserts
        post_ids = dict(CadrePost.objects.filter(org=job.org).values_list("person_id", "pk"))
    directory.index_new_posts([(post_ids[ids[d["id_number"]]], f"{names.get(d['id_number'], d['name'])} {d['title']}")
                               for _, d, _ in parsed])
    directory.index_orgs_missing({job.org_id})
    if wechat.work_enabled():  # the new and changed cadres go into the WeChat Work contact list
        rows = ContactSync.objects.bulk_create(
            [ContactSync(userid=d["phone"], action=ContactSync.Action.UPSERT, name=d["name"]) for _, d, _ in parsed
             if d["id_number"] not in persons], batch_size=2000)
        pks = [r.pk for r in rows] if all(r.pk for r in rows) else list(
            ContactSync.objects.filter(status=ContactSync.Status.QUEUED).values_list("pk", flat=True))
        transaction.on_commit(lambda: [enqueue("services.cadres.tasks.sync_contact", pk) for pk in pks])
    actor = actor_for_user(job.user, job.ip)
    if actor.acts_for_org and actor.org.pk == job.org_id:
        audit_record(actor=actor, action="cadre.import", obj=job.org,
                     after={"文件": job.filename, "导入数量": len(parsed), "新增团干": len(new_people)})
    return len(parsed)


def import_run(import_id, now=None):
    """Validate the whole file, then import all rows or none. Idempotent: only a queued job runs
    (claimed queued → 校验中 with ``started_at``); a worker killed midway leaves it 校验中 for the
    job sweeper, which queues it again or fails it for good (``import_give_up``). The outcome is
    written only by the attempt that still holds the claim."""
    now = now or timezone.now()
    attempt = jobs.claim(CadreImport, import_id, queued=CadreImport.Status.QUEUED,
                         running=CadreImport.Status.RUNNING, now=now)
    if attempt is None:
        return None
    job = CadreImport.objects.select_related("org", "user").get(pk=import_id)
    try:
        rows = _read_rows(bytes(job.content))
        CadreImport.objects.filter(pk=job.pk).update(total=len(rows))
        parsed, persons, errors = _validate(job, rows)
        jobs.pause_for_tests("import_run")
        if errors:
            status, imported = CadreImport.Status.REJECTED, 0
        else:
            try:
                imported, status = _import(job, parsed, persons, attempt), CadreImport.Status.DONE
            except Superseded:
                logger.warning("cadre import %s: attempt %s superseded, nothing written", import_id, attempt)
                return None
            except IntegrityError:  # someone entered one of these cadres meanwhile
                errors, status, imported = [[0, "导入期间数据发生变化，请重新上传"]], CadreImport.Status.REJECTED, 0
    except ValidationError as exc:
        rows, errors, status, imported = [], [[0, exc.messages[0]]], CadreImport.Status.REJECTED, 0
    except Exception:
        logger.exception("cadre import %s failed", import_id)
        rows, errors, status, imported = [], [[0, "系统繁忙，请稍后再试！"]], CadreImport.Status.FAILED, 0
    CadreImport.objects.filter(pk=job.pk, status=CadreImport.Status.RUNNING, attempts=attempt).update(
        status=status, processed=len(rows), imported=imported, errors=errors, content=None,
        finished_at=timezone.now())
    logger.info("cadre import %s: %s, %s rows, %s errors", import_id, status, len(rows), len(errors))
    return status


IMPORT_ATTEMPTS = 3
ERR_GAVE_UP = "后台任务多次中断，未能完成校验，未导入任何数据，请重新上传"
IMPORT_FAILED_TITLE = "批量导入团干失败"


def import_give_up(pks, now):
    """Tell each org whose import failed for good (set-based, once per import); the file is dropped."""
    from services.messaging.services import notify_many

    rows = CadreImport.objects.filter(pk__in=pks).values(
        recipient=F("org_id"), subject_id=F("pk"),
        body=Concat(Value("您上传的团干导入文件“"), F("filename"),
                    Value(f"”经 {IMPORT_ATTEMPTS} 次尝试仍未完成校验，未导入任何数据，请重新上传。"),
                    output_field=CharField()))
    return notify_many(orgs=rows, title=IMPORT_FAILED_TITLE, link=reverse("cadres:import"),
                       subject_type="cadres.import_failed", once=True, now=now)


jobs.register(jobs.Job(
    model="cadres.CadreImport", task="services.cadres.tasks.run_import", give_up=import_give_up,
    queued=CadreImport.Status.QUEUED, running=CadreImport.Status.RUNNING, failed=CadreImport.Status.FAILED,
    max_attempts=IMPORT_ATTEMPTS,
    failed_fields=lambda now: {"content": None, "finished_at": now, "errors": [[0, ERR_GAVE_UP]]},
))
