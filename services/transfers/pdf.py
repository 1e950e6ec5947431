"""组织关系介绍信 of a completed transfer (接转成功) as a PDF: the letter the incoming branch files and
the member keeps; the ID masked. Refused for a transfer that is not completed."""

from django.core.exceptions import ValidationError

from portal.pdf import render_pdf

from .choices import TransferStatus

ERR_NOT_COMPLETED = "组织关系转接尚未完成（接转成功后才能下载组织关系介绍信）"


def letter_problem(transfer):
    return None if transfer.status == TransferStatus.COMPLETED else ERR_NOT_COMPLETED


def letter_filename(transfer):
    return f"组织关系介绍信-{transfer.member.name}.pdf"


def letter_number(transfer):
    return f"粤团转〔{transfer.closed_at:%Y}〕{transfer.pk:06d}号"


def introduction_letter_pdf(transfer):
    """The letter of one transfer (resolved through the asker's scope) as PDF bytes."""
    if problem := letter_problem(transfer):
        raise ValidationError(problem, code="not_completed")
    member = transfer.member
    return render_pdf("transfers/print_letter.html", {
        "t": transfer, "m": member, "masked_id": member.masked_id, "number": letter_number(transfer)})
