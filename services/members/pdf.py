"""电子团员证 as a PDF (reference §2.1.5 电子团员证, §2.2.4): one A4 page, the ID masked."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.pdf import render_pdf

ISSUER = "共青团广东省委员会"
ERR_NO_JOIN_UNIT = ("该团员的“入团时所在单位”未填写，不能生成电子团员证。"
                    "请提醒团员在“我的资料 › 基本资料 › 编辑”中填写后再生成。")
ERR_NO_JOIN_UNIT_SELF = "您的“入团时所在单位”未填写，不能生成电子团员证。请在“我的资料 › 基本资料 › 编辑”中填写后再生成。"
#: The certificate stays one page: the latest completed transfers only (the 成长档案 lists them all).
TRANSFERS_SHOWN = 5


def certificate_problem(member, *, own=False):
    """Why the 电子团员证 cannot be made now (入团时所在单位 is required), or None."""
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
