"""Writes of 奖励 (reference §4.8): org entry (certified), member declarations (团外 / 团内 补录) and their
review; the member list an org builds for a batch (by hand or from an Excel list of ID numbers).

Every write is keyword-only and atomic; org writes leave one audit row; people are told through
``notify`` / ``notify_many`` on the caller's transaction (WeChat follows on commit).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from orgtree.models import Organization
from portal import spreadsheets, text, uploads
from portal.actors import MEMBER
from portal.audit import audit_record, register_actions
from portal.idcard import normalize
from services.members.aging import birthday_cutoff
from services.members.models import IN_GOOD_STANDING, Member
from services.messaging.models import Message
from services.messaging.services import notify, notify_many

from .models import Award, AwardAttachment, AwardKind, AwardSource, AwardStatus

register_actions({
    "award.enter": "录入团员奖励",
    "award.update": "修改团员奖励",
    "award.delete": "删除团员奖励",
    "award.review": "审核团员奖励",
})

SUBJECT_REVIEW = "awards.review"  # a declaration awaiting its reviewer (the award's id)
MAX_BATCH = 500

ERR_NO_MEMBERS = "请先添加奖/惩团员名单"
ERR_TOO_MANY = f"一次最多为{MAX_BATCH}名团员录入，请分批录入"
ERR_MEMBERS_OUT = "名单中有不在本组织管辖范围内或团籍状态不正常的团员，请删减名单后重试"
ERR_NAME = "请输入奖励名称（不超过99字）"
ERR_LEVEL = "请输入奖励等次（不超过99字）"
ERR_AWARDING_ORG = "请输入授奖组织（不超过99字）"
ERR_DATE = "请选择获奖时间"
ERR_DATE_FUTURE = "选择时间不能大于当前时间"
ERR_SEPARATOR = "不能包含“@@”"
ERR_KIND = "请选择奖励类型"
ERR_REVIEWER = "请选择审核组织（授奖组织中的团内组织）"
ERR_NOT_A_YEAR = "团内奖励由授奖组织录入；获奖超过一年组织仍未录入的，才能申请补录"
ERR_ALREADY_ENTERED = "组织已为您录入该奖励，无需补录"
ERR_MEMBER_STATE = "只有报到审核通过、团籍正常的团员才能申报奖励"
ERR_NOT_ENTERING_ORG = "只有录入该奖励的组织才能修改或删除"
ERR_NOT_OWN = "只能修改或删除本人的奖励申报"
ERR_NOT_PENDING = "只能修改或删除待审核或被退回的奖励申报"
ERR_NOT_AWARDING_ORG = "当前组织不是该奖励的授奖组织，所以您无需审核"
ERR_REVIEWED = "该奖励已审核，无需再次审核"
ERR_NONE_CHOSEN = "请选择需要操作的记录"
ERR_RETURN_REASON = "请输入退回原因（不超过249字）"
# The awarding org returns what it did not grant (manual 奖惩管理 tip 1).
RETURN_NOT_GRANTED = "本组织不是该奖励的授奖组织，请核实授奖组织后重新申报"


def _text(data, field, label, message, *, required=True):
    value = text.clean_text(data.get(field) or "", label=label, field=field)
    if (required and not value) or len(value) > 99:
        raise ValidationError({field: message})
    if "@@" in value:
        raise ValidationError({field: f"{label}{ERR_SEPARATOR}"})
    return value


def clean_award(data, *, today=None):
    """The award's fields as the forms post them, checked (reference §2.2.5, §7)."""
    today = today or timezone.localdate()
    cleaned = {"name": _text(data, "name", "奖励名称", ERR_NAME),
               "has_level": bool(data.get("has_level")),
               "awarding_org_name": _text(data, "awarding_org_name", "授奖组织", ERR_AWARDING_ORG)}
    cleaned["level"] = _text(data, "level", "奖励等次", ERR_LEVEL) if cleaned["has_level"] else ""
    awarded_on = data.get("awarded_on")
    if not awarded_on:
        raise ValidationError({"awarded_on": ERR_DATE})
    if awarded_on > today:
        raise ValidationError({"awarded_on": ERR_DATE_FUTURE})
    cleaned["awarded_on"] = awarded_on
    return cleaned


def members_for_org(actor, member_ids):
    """The chosen members, every one in the actor's subtree and in good standing (else refused whole)."""
    actor.require_org_actor()
    ids = list(dict.fromkeys(member_ids or ()))
    if not ids:
        raise ValidationError(ERR_NO_MEMBERS)
    if len(ids) > MAX_BATCH:
        raise ValidationError(ERR_TOO_MANY)
    members = list(Member.objects.filter(IN_GOOD_STANDING, pk__in=ids, branch__path__startswith=actor.org.path)
                   .select_related("branch").order_by("pk"))
    if len(members) != len(ids):
        raise ValidationError(ERR_MEMBERS_OUT)
    return members


def _attach(award, files):
    for f in files:
        AwardAttachment.objects.create(award=award, file=f, name=f.name[:200])


def _member_users(member_ids):
    return Member.objects.filter(pk__in=member_ids, user__isnull=False).values(recipient=F("user_id"))


@transaction.atomic
def awards_enter(*, actor, member_ids, data, files, today=None, now=None):
    """录入奖励 for the chosen members: 团内, certified on entry, shown on each member's record."""
    members = members_for_org(actor, member_ids)
    cleaned = clean_award(data, today=today)
    uploads.validate_evidence(files)
    now = now or timezone.now()
    awards = []
    for member in members:
        award = Award.objects.create(member=member, kind=AwardKind.INTERNAL, source=AwardSource.ORG,
                                     reviewer=actor.org, entered_by=actor.label[:200], status=AwardStatus.APPROVED,
                                     reviewed_by=actor.label[:200], reviewed_at=now, **cleaned)
        _attach(award, files)
        awards.append(award)
    audit_record(actor=actor, action="award.enter", obj=awards[0],
                 after={"奖励名称": cleaned["name"], "团员人数": len(members),
                        "团员": "、".join(m.name for m in members[:20])})
    notify_many(users=_member_users([m.pk for m in members]), title="奖励录入通知", level=Message.Level.ORG,
                body=f"{actor.org.full_name}为您录入了团内奖励“{cleaned['name']}”，已认证并记入您的成长档案。",
                link=reverse("awards:m_list"), sender_org=actor.org, now=now)
    return awards


def _lock(award):
    return Award.objects.select_for_update(of=("self",)).select_related("member", "reviewer").get(pk=award.pk)


def _check_editor(actor, award):
    """The entering org edits its entries; the member edits their own pending or returned declarations."""
    if award.source == AwardSource.ORG:
        if not actor.acts_for_org or award.reviewer_id != actor.org.pk:
            raise PermissionDenied(ERR_NOT_ENTERING_ORG)
        return
    member = actor.extra.get("member") if actor.kind == MEMBER else None
    if member is None or award.member_id != member.pk:
        raise PermissionDenied(ERR_NOT_OWN)
    if award.status == AwardStatus.APPROVED:
        raise ValidationError(ERR_NOT_PENDING)


@transaction.atomic
def award_update(*, actor, award, data, files=None, reviewer=None, today=None):
    """编辑: the entering org's entry, or the member's own declaration (a returned one goes back to review)."""
    award = _lock(award)
    _check_editor(actor, award)
    today = today or timezone.localdate()
    cleaned = clean_award(data, today=today)
    if files:
        uploads.validate_evidence(files)
    before = {"奖励名称": award.name, "获奖时间": str(award.awarded_on), "授奖组织": award.awarding_org_name}
    if award.source == AwardSource.MEMBER:
        target = _declaration_reviewer(award.member, award.kind, cleaned, reviewer or award.reviewer, today)
        award.reviewer = target
        award.status, award.return_reason = AwardStatus.PENDING, ""
    for field, value in cleaned.items():
        setattr(award, field, value)
    award.save()
    if files:
        award.attachments.all().delete()
        _attach(award, files)
    if award.source == AwardSource.ORG:
        audit_record(actor=actor, action="award.update", obj=award, before=before,
                     after={"奖励名称": award.name, "获奖时间": str(award.awarded_on),
                            "授奖组织": award.awarding_org_name})
    else:
        _ask_review(award)
    return award


@transaction.atomic
def award_delete(*, actor, award):
    award = _lock(award)
    _check_editor(actor, award)
    if award.source == AwardSource.ORG:
        audit_record(actor=actor, action="award.delete", obj=award,
                     before={"奖励名称": award.name, "团员": award.member.name})
    award.attachments.all().delete()
    award.delete()


# --- member declarations ---------------------------------------------------------------------------

def _declaration_reviewer(member, kind, cleaned, reviewer, today):
    """团外 → the member's branch; 团内 补录 → the chosen league org, only for awards over a year old
    that no org entered (manual 奖惩录入)."""
    if kind == AwardKind.EXTERNAL:
        return member.branch
    if reviewer is None or not isinstance(reviewer, Organization):
        raise ValidationError({"reviewer": ERR_REVIEWER})
    if cleaned["awarded_on"] >= birthday_cutoff(today, years=1):  # 超过一年: a day past the anniversary
        raise ValidationError({"awarded_on": ERR_NOT_A_YEAR})
    if Award.objects.filter(member=member, source=AwardSource.ORG, name=cleaned["name"],
                            awarded_on=cleaned["awarded_on"]).exists():
        raise ValidationError({"name": ERR_ALREADY_ENTERED})
    return reviewer


def _ask_review(award):
    notify(recipient=award.reviewer, title="奖励认证申请", level=Message.Level.ORG, sender_org=award.member.branch,
           body=f"团员{award.member.name}申报了{award.get_kind_display()}“{award.name}”，请审核。",
           link=reverse("awards:review_list"), subject=(SUBJECT_REVIEW, award.pk))


@transaction.atomic
def award_declare(*, member, kind, data, files, reviewer=None, today=None):
    """奖励申报 on /m/: 团外 (reviewed, not certified, by the branch) or 团内 补录 (by the awarding org)."""
    today = today or timezone.localdate()
    try:
        kind = AwardKind(int(kind))
    except (TypeError, ValueError):
        raise ValidationError({"kind": ERR_KIND}) from None
    member = Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
    if not Member.objects.filter(IN_GOOD_STANDING, pk=member.pk).exists():
        raise ValidationError(ERR_MEMBER_STATE)
    cleaned = clean_award(data, today=today)
    target = _declaration_reviewer(member, kind, cleaned, reviewer, today)
    uploads.validate_evidence(files)
    award = Award.objects.create(member=member, kind=kind, source=AwardSource.MEMBER, reviewer=target,
                                 entered_by=f"团员 {member.name}", **cleaned)
    _attach(award, files)
    _ask_review(award)
    return award


# --- review ----------------------------------------------------------------------------------------

def _reason(reason):
    reason = text.clean_text(reason or "", label="退回原因", multiline=True, field="reason")
    if not reason or len(reason) > 249:
        raise ValidationError({"reason": ERR_RETURN_REASON})
    if "@@" in reason:
        raise ValidationError({"reason": f"退回原因{ERR_SEPARATOR}"})
    return reason


@transaction.atomic
def awards_review(*, actor, award_ids, approve, reason="", now=None):
    """同意 or 退回 one or many declarations awaiting the actor's org; all or nothing."""
    actor.require_org_actor()
    ids = list(dict.fromkeys(award_ids or ()))
    if not ids:
        raise ValidationError(ERR_NONE_CHOSEN)
    if not approve:
        reason = _reason(reason)
    awards = list(Award.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("member")
                  .order_by("pk"))
    if len(awards) != len(ids) or any(a.reviewer_id != actor.org.pk for a in awards):
        raise PermissionDenied(ERR_NOT_AWARDING_ORG)
    if any(a.status != AwardStatus.PENDING for a in awards):
        raise ValidationError(ERR_REVIEWED)
    now = now or timezone.now()
    status = AwardStatus.APPROVED if approve else AwardStatus.RETURNED
    Award.objects.filter(pk__in=ids).update(status=status, return_reason="" if approve else reason,
                                            reviewed_by=actor.label[:200], reviewed_at=now, updated_at=now)
    audit_record(actor=actor, action="award.review", obj=awards[0],
                 after={"审核结果": "同意" if approve else "退回", "奖励数": len(awards),
                        "奖励": "、".join(f"{a.member.name}:{a.name}" for a in awards[:20]),
                        **({} if approve else {"退回原因": reason})})
    verdict = "已审核通过" if approve else f"被退回：{reason}"
    rows = (Award.objects.filter(pk__in=ids, member__user__isnull=False)
            .values(recipient=F("member__user_id"),
                    body=Concat(Value("您申报的奖励“"), F("name"), Value(f"”{verdict}"))))
    notify_many(users=rows, title="奖励审核结果", level=Message.Level.ORG, sender_org=actor.org,
                link=reverse("awards:m_list"), now=now)
    return len(awards)


# --- the member list of a batch (step 1) -----------------------------------------------------------

SHEET_HEADERS = ["身份证号码", "姓名"]
SHEET_LIMITS = spreadsheets.Limits(max_rows=MAX_BATCH, max_columns=len(SHEET_HEADERS), max_bytes=1024 * 1024)
ERR_SHEET_HEADERS = "表头与模板不一致，请下载模板填写（第一列身份证号码，第二列姓名）"
ERR_SHEET_EMPTY = "文件中没有团员数据"
ERR_ROW_ID = "身份证号码不能为空"
ERR_ROW_NOT_FOUND = "未找到该团员（须为本组织管辖范围内、团籍正常的团员）"
ERR_ROW_NAME = "姓名与身份证号码不一致"
ERR_ROW_REPEAT = "与第{row}行重复"


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def members_from_sheet(*, actor, upload):
    """批量导入名单: the members an Excel list of ID numbers names. One bad row refuses the whole file:
    the ValidationError lists every bad row as "第N行：原因" (reference §2.1.5c)."""
    actor.require_org_actor()
    content = spreadsheets.read_upload(upload, SHEET_LIMITS)
    rows = spreadsheets.iter_first_sheet(content, SHEET_LIMITS)
    header = [_cell(v) for v in next(rows, ())]
    if header[:1] != SHEET_HEADERS[:1]:
        rows.close()
        raise ValidationError(ERR_SHEET_HEADERS)
    wanted = []
    for number, values in enumerate(rows, start=2):
        values = list(values) + [None] * 2
        id_number, name = _cell(values[0]), _cell(values[1])
        if id_number or name:
            wanted.append((number, normalize(id_number) if id_number else "", name))
    if not wanted:
        raise ValidationError(ERR_SHEET_EMPTY)
    found = {m.id_number: m for m in Member.objects.filter(
        IN_GOOD_STANDING, branch__path__startswith=actor.org.path,
        id_number__in=[w[1] for w in wanted if w[1]]).only("pk", "id_number", "name")}
    errors, seen, ids = [], {}, []
    for number, id_number, name in wanted:
        member = found.get(id_number)
        if not id_number:
            errors.append(f"第{number}行：{ERR_ROW_ID}")
        elif id_number in seen:
            errors.append(f"第{number}行：{ERR_ROW_REPEAT.format(row=seen[id_number])}")
        elif member is None:
            errors.append(f"第{number}行：{ERR_ROW_NOT_FOUND}")
        elif name and name != member.name:
            errors.append(f"第{number}行：{ERR_ROW_NAME}")
        else:
            ids.append(member.pk)
        seen.setdefault(id_number, number)
    if errors:
        raise ValidationError(errors)
    return ids
