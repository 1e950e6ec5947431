"""Writes of 处罚 (reference §4.9): entered by an org for one or many members, with proof; in force from
the date to the relieve date. 开除团籍 is handed to the 团籍 flow (services.members.status): the member's
branch applies, its direct parent approves — nothing of that flow is repeated here.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from portal import text, uploads
from portal.audit import audit_record, register_actions
from services.members import status as member_status
from services.members.choices import RequestKind
from services.messaging.models import Message
from services.messaging.services import notify_many

from .models import Punishment, PunishmentAttachment, PunishmentKind
from .services import members_for_org

register_actions({
    "punishment.enter": "录入团员处罚",
    "punishment.update": "修改团员处罚",
    "punishment.delete": "删除团员处罚",
})

ERR_KIND = "请选择处罚名称"
ERR_DATE = "请选择处罚时间"
ERR_DATE_FUTURE = "处罚时间不能大于当前时间"
ERR_RELIEVE = "请选择解除时间"
ERR_RELIEVE_BEFORE = "解除时间必须晚于处罚时间"
ERR_RELIEVE_PAST = "解除时间必须晚于当前时间"
ERR_EXPEL_RELIEVE = "开除团籍没有解除时间"
ERR_EXPEL_BRANCH = "开除团籍由团员所在团支部申请、其直接上级组织审核，请由团员所在团支部录入"
ERR_EXPEL_FLOW = "开除团籍处罚通过团籍变更审核办理，不能在此修改或删除"
ERR_DESCRIPTION = "处罚说明不超过249字"
ERR_NOT_ENTERING_ORG = "只有录入该处罚的组织才能修改或删除"


def _clean(*, kind, punished_on, relieve_on, description, today):
    try:
        kind = PunishmentKind(int(kind))
    except (TypeError, ValueError):
        raise ValidationError({"kind": ERR_KIND}) from None
    if not punished_on:
        raise ValidationError({"punished_on": ERR_DATE})
    if punished_on > today:
        raise ValidationError({"punished_on": ERR_DATE_FUTURE})
    if kind == PunishmentKind.EXPULSION:
        if relieve_on:
            raise ValidationError({"relieve_on": ERR_EXPEL_RELIEVE})
    else:
        if not relieve_on:
            raise ValidationError({"relieve_on": ERR_RELIEVE})
        if relieve_on <= punished_on:
            raise ValidationError({"relieve_on": ERR_RELIEVE_BEFORE})
        if relieve_on <= today:
            raise ValidationError({"relieve_on": ERR_RELIEVE_PAST})
    description = text.clean_text(description or "", label="处罚说明", multiline=True, field="description")
    if len(description) > 249 and kind != PunishmentKind.EXPULSION:
        raise ValidationError({"description": ERR_DESCRIPTION})
    return kind, description


@transaction.atomic
def punishments_enter(*, actor, member_ids, kind, punished_on, relieve_on=None, description="", files=(),
                      today=None, now=None):
    """录入处罚 for the chosen members (proof required). 开除团籍: the branch's 团籍 application for each."""
    members = members_for_org(actor, member_ids)
    today = today or timezone.localdate()
    kind, description = _clean(kind=kind, punished_on=punished_on, relieve_on=relieve_on, description=description,
                               today=today)
    uploads.validate_evidence(files)
    punishments = []
    for member in members:
        request = None
        if kind == PunishmentKind.EXPULSION:
            if member.branch_id != actor.org.pk:
                raise ValidationError(ERR_EXPEL_BRANCH)
            # the 团籍 flow checks the application (说明 ≥ 30 字, evidence) and tells the direct parent
            request = member_status.status_apply(actor=actor, member=member, kind=RequestKind.EXPELLED,
                                                 description=description, files=files, today=today)
        punishment = Punishment.objects.create(
            member=member, kind=kind, description=description[:249], punished_on=punished_on,
            relieve_on=relieve_on if kind != PunishmentKind.EXPULSION else None, org=actor.org,
            entered_by=actor.label[:200], status_request=request)
        for f in files:
            PunishmentAttachment.objects.create(punishment=punishment, file=f, name=f.name[:200])
        punishments.append(punishment)
    audit_record(actor=actor, action="punishment.enter", obj=punishments[0],
                 after={"处罚名称": kind.label, "处罚时间": str(punished_on), "解除时间": str(relieve_on or ""),
                        "团员人数": len(members), "团员": "、".join(m.name for m in members[:20])})
    if kind != PunishmentKind.EXPULSION:  # the 团籍 flow tells the member when the expulsion is approved
        users = (Punishment.objects.filter(pk__in=[p.pk for p in punishments], member__user__isnull=False)
                 .values(recipient=F("member__user_id")))
        notify_many(users=users, title="处罚通知", level=Message.Level.ORG, sender_org=actor.org,
                    body=f"{actor.org.full_name}对您作出“{kind.label}”处罚，自{punished_on:%Y年%m月%d日}起，"
                         f"至{relieve_on:%Y年%m月%d日}解除。", link=reverse("awards:m_list"), now=now)
    return punishments


def _lock(actor, punishment):
    actor.require_org_actor()
    punishment = Punishment.objects.select_for_update(of=("self",)).select_related("member").get(pk=punishment.pk)
    if punishment.org_id != actor.org.pk:
        raise PermissionDenied(ERR_NOT_ENTERING_ORG)
    if punishment.kind == PunishmentKind.EXPULSION:
        raise ValidationError(ERR_EXPEL_FLOW)
    return punishment


@transaction.atomic
def punishment_update(*, actor, punishment, kind, punished_on, relieve_on, description="", files=None, today=None):
    punishment = _lock(actor, punishment)
    today = today or timezone.localdate()
    kind, description = _clean(kind=kind, punished_on=punished_on, relieve_on=relieve_on, description=description,
                               today=today)
    if kind == PunishmentKind.EXPULSION:
        raise ValidationError({"kind": ERR_EXPEL_FLOW})
    if files:
        uploads.validate_evidence(files)
    before = {"处罚名称": punishment.get_kind_display(), "处罚时间": str(punishment.punished_on),
              "解除时间": str(punishment.relieve_on)}
    punishment.kind, punishment.punished_on, punishment.relieve_on = kind, punished_on, relieve_on
    punishment.description = description
    punishment.save()
    if files:
        punishment.attachments.all().delete()
        for f in files:
            PunishmentAttachment.objects.create(punishment=punishment, file=f, name=f.name[:200])
    audit_record(actor=actor, action="punishment.update", obj=punishment, before=before,
                 after={"处罚名称": kind.label, "处罚时间": str(punished_on), "解除时间": str(relieve_on)})
    return punishment


@transaction.atomic
def punishment_delete(*, actor, punishment):
    punishment = _lock(actor, punishment)
    audit_record(actor=actor, action="punishment.delete", obj=punishment,
                 before={"处罚名称": punishment.get_kind_display(), "团员": punishment.member.name})
    punishment.attachments.all().delete()
    punishment.delete()
