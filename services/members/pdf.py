"""电子团员证 as a PDF (reference §2.1.5 电子团员证, §2.2.4): one A4 page, the ID masked."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.pdf import render_pdf

ISSUER = "共青团广东省委员会"
ERR_NO_JOIN_UNIT = ("该团员的“入团时所在单位”未填写，不能生成电子团员证。"
                    "请提醒团员在“我的资料 › 基本资料 › 编辑”中填写后再生成。")
ERR_NOT_APPROVED = "报到审核通过后才能生成电子团员证"
ERR_LEFT = ("团员<身份证号：{masked_id}>已被组织设置为{status}状态，不能生成电子团员证。"
            "您可以查看团员资料，或者对团员进行“恢复团籍”后操作。")
ERR_LEFT_SELF = "您的团籍状态为{status}，不能生成电子团员证"
ERR_NO_JOIN_UNIT_SELF = "您的“入团时所在单位”未填写，不能生成电子团员证。请在“我的资料 › 基本资料 › 编辑”中填写后再生成。"
#: The certificate stays one page: the latest completed transfers only (the 成长档案 lists them all).
TRANSFERS_SHOWN = 5


def certificate_problem(member, *, own=False):
    """Why the 电子团员证 cannot be made now (an approved member of the League, 入团时所在单位 filled in),
    or None."""
    if not member.is_approved:
        return ERR_NOT_APPROVED
    if member.has_left:
        if own:
            return ERR_LEFT_SELF.format(status=member.get_league_status_display())
        return ERR_LEFT.format(masked_id=member.masked_id, status=member.get_league_status_display())
    if not (member.join_unit or "").strip():
        return ERR_NO_JOIN_UNIT_SELF if own else ERR_NO_JOIN_UNIT
    return None


def certificate_filename(member):
    return f"电子团员证-{member.name}.pdf"


def certificate_pdf(member, *, own=False, today=None):
    """The 电子团员证 of one member (already resolved through the asker's scope) as PDF bytes."""
    from services.transfers.selectors import member_completed

    if problem := certificate_problem(member, own=own):
        raise ValidationError(problem, code="join_unit")
    today = today or timezone.localdate()
    transfers = member_completed(member)[-TRANSFERS_SHOWN:]
    return render_pdf("members/print_certificate.html", {
        "m": member, "masked_id": member.masked_id, "issuer": ISSUER, "issued_on": today, "transfers": transfers})
