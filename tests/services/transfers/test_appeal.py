"""申诉: the window (day 30 yes, day 31 no), latest return only, once, the LCA reviewer on several tree
shapes, upheld → completed, rejected → may start again, no new transfer while pending."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from services.members.models import Member
from services.transfers import appeal, review, start
from services.transfers.choices import AppealStatus, TransferStatus
from services.transfers.models import Appeal

from ...factories import actor_of, png_upload
from .conftest import application

REASON = "转入团支部退回的理由与事实不符，" * 10  # > 100 characters


def _returned_at_three(w, target, when=None):
    when = when or timezone.now()
    with time_machine.travel(when, tick=False):
        t = start.transfer_apply(member=w.member, data=application(target))
        t = review.transfer_approve(actor=actor_of(w.jia1), transfer=t, stage=1)
        t = review.transfer_approve(actor=actor_of(w.p_jia), transfer=t, stage=2)
        return review.transfer_return(actor=actor_of(target), transfer=t, stage=3, reason="不认识该团员")


@pytest.mark.parametrize("target,expected", [("yi1", "tianhe"), ("bing1", "gz"), ("ding1", "province"),
                                             ("jia2", "p_jia")])
def test_common_superior_from_tree_paths(w, target, expected):
    t = _returned_at_three(w, getattr(w, target))
    a = appeal.appeal_submit(member=w.member, transfer=t, reason=REASON)
    assert a.reviewer_id == getattr(w, expected).pk


def test_upheld_completes_into_the_target(w):
    t = _returned_at_three(w, w.bing1)
    a = appeal.appeal_submit(member=w.member, transfer=t, reason=REASON, files=[png_upload()])
    assert a.attachments.count() == 1
    with pytest.raises(ValidationError, match=start.ERR_APPEAL_PENDING.format(name="张转接")):
        start.transfer_apply(member=w.member, data=application(w.ding1))
    with pytest.raises(PermissionDenied):
        appeal.appeal_decide(actor=actor_of(w.province), appeal=a, upheld=True)
    a = appeal.appeal_decide(actor=actor_of(w.gz), appeal=a, upheld=True)
    assert a.status == AppealStatus.UPHELD
    t.refresh_from_db()
    assert t.status == TransferStatus.COMPLETED
    assert Member.objects.get(pk=w.member.pk).branch_id == w.bing1.pk
    with pytest.raises(ValidationError, match=appeal.ERR_HANDLED):
        appeal.appeal_decide(actor=actor_of(w.gz), appeal=a, upheld=False, reason="重复")


def test_rejected_lets_the_member_start_again(w):
    t = _returned_at_three(w, w.bing1)
    a = appeal.appeal_submit(member=w.member, transfer=t, reason=REASON)
    with pytest.raises(ValidationError):
        appeal.appeal_decide(actor=actor_of(w.gz), appeal=a, upheld=False, reason="")
    a = appeal.appeal_decide(actor=actor_of(w.gz), appeal=a, upheld=False, reason="退回理由成立")
    assert a.status == AppealStatus.REJECTED
    assert Member.objects.get(pk=w.member.pk).branch_id == w.jia1.pk
    assert start.transfer_apply(member=w.member, data=application(w.ding1))
    with pytest.raises(ValidationError, match=appeal.ERR_ALREADY):
        appeal.appeal_submit(member=w.member, transfer=t, reason=REASON)


def test_window_day_30_yes_day_31_no(w):
    returned = timezone.make_aware(timezone.datetime(2026, 3, 1, 10, 0))
    t = _returned_at_three(w, w.bing1, returned)
    assert appeal.appeal_problem(w.member, t, returned + timedelta(days=30, hours=13)) is None  # day 30, 23:00
    assert appeal.appeal_problem(w.member, t, returned + timedelta(days=31)) == appeal.ERR_WINDOW
    with time_machine.travel(returned + timedelta(days=31), tick=False):
        with pytest.raises(ValidationError, match=appeal.ERR_WINDOW):
            appeal.appeal_submit(member=w.member, transfer=t, reason=REASON)
    with time_machine.travel(returned + timedelta(days=30), tick=False):
        assert appeal.appeal_submit(member=w.member, transfer=t, reason=REASON)


def test_latest_return_only_and_incoming_side_only(w):
    first = _returned_at_three(w, w.bing1)
    second = _returned_at_three(w, w.ding1)
    with pytest.raises(ValidationError, match=appeal.ERR_NOT_LATEST):
        appeal.appeal_submit(member=w.member, transfer=first, reason=REASON)
    assert appeal.appeal_submit(member=w.member, transfer=second, reason=REASON)


def test_return_by_outgoing_side_is_not_appealable(w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    t = review.transfer_return(actor=actor_of(w.jia1), transfer=t, stage=1, reason="去向不实")
    with pytest.raises(ValidationError, match=appeal.ERR_NOT_APPEALABLE):
        appeal.appeal_submit(member=w.member, transfer=t, reason=REASON)


def test_bad_reason_and_bad_files_change_nothing(w):
    t = _returned_at_three(w, w.bing1)
    with pytest.raises(ValidationError) as exc:
        appeal.appeal_submit(member=w.member, transfer=t, reason="太短了")
    assert exc.value.message_dict == {"reason": [appeal.ERR_REASON]}
    fake = SimpleUploadedFile("proof.png", b"<html>not an image</html>", content_type="image/png")
    with pytest.raises(ValidationError, match="证明材料只能是图片"):
        appeal.appeal_submit(member=w.member, transfer=t, reason=REASON, files=[fake])
    pdfs = [SimpleUploadedFile(f"p{i}.pdf", b"%PDF-1.4 test", content_type="application/pdf") for i in range(3)]
    with pytest.raises(ValidationError, match="最多8张图片和2个PDF"):
        appeal.appeal_submit(member=w.member, transfer=t, reason=REASON, files=pdfs)
    assert not Appeal.objects.exists()
