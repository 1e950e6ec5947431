"""The pages of each end: /manage/ (lists, review, batch, withdraw, start, export, appeals), /m/ (apply,
records, confirm, withdraw, appeal) and the cadre end (operators review; ordinary cadres are refused)."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from services.members.models import Member
from services.transfers import review, start
from services.transfers.choices import AppealStatus, TransferStatus
from services.transfers.models import Appeal, Transfer

from ...factories import actor_of, login, login_person, make_member, png_upload
from ..cadres.cadre_end import cadre_login
from .conftest import application

REASON = "转入团支部退回的理由与事实不符，" * 10


def test_member_applies_on_mobile_and_sees_the_record(client, w):
    login_person(client, w.member.user)
    home = client.get(reverse("mobile:member_home")).content.decode()
    assert reverse("transfers:m_list") in home
    page = client.get(reverse("transfers:m_apply"))
    assert page.status_code == 200
    bad = client.post(reverse("transfers:m_apply"), {"transfer_type": 1, "target": w.jia1.code, "destination": "某公司",
                                                     "reason": 1})
    assert start.ERR_SAME_BRANCH in bad.content.decode() and not Transfer.objects.exists()
    response = client.post(reverse("transfers:m_apply"), {"transfer_type": 1, "target": w.bing1.full_name,
                                                          "destination": "某公司", "reason": 1})
    t = Transfer.objects.get()
    assert response["Location"] == reverse("transfers:m_detail", args=[t.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "转出团支部待审核" in detail and "撤回申请" in detail
    records = client.get(reverse("transfers:m_list")).content.decode()
    assert w.bing1.full_name in records and start.ERR_OPEN.format(name="张转接") in records
    response = client.post(reverse("transfers:m_withdraw", args=[t.pk]), {"reason": ""})
    assert start.ERR_WITHDRAW_REASON in response.content.decode()
    client.post(reverse("transfers:m_withdraw", args=[t.pk]), {"reason": "去向有变"})
    assert Transfer.objects.get().status == TransferStatus.WITHDRAWN


def test_another_members_record_is_404(client, w):
    other = make_member(w.jia1, name="李二")
    t = start.transfer_apply(member=other, data=application(w.bing1))
    login_person(client, w.member.user)
    for name in ("m_detail", "m_withdraw", "m_appeal"):
        assert client.get(reverse(f"transfers:{name}", args=[t.pk])).status_code == 404
    assert client.post(reverse("transfers:m_confirm", args=[t.pk])).status_code == 404


def test_branch_starts_member_confirms(client, w):
    login(client, w.jia1)
    page = client.get(reverse("transfers:start")).content.decode()
    assert "张转接" in page
    response = client.post(reverse("transfers:start"), {"members": [w.member.pk], "target": w.bing1.code,
                                                        "destination": "某公司", "reason": 2})
    assert response.status_code == 302
    t = Transfer.objects.get()
    assert t.status == TransferStatus.AWAITING_MEMBER
    login_person(client, w.member.user)
    detail = client.get(reverse("transfers:m_detail", args=[t.pk])).content.decode()
    assert "确认同意" in detail and "撤回申请" not in detail
    client.post(reverse("transfers:m_confirm", args=[t.pk]))
    assert Transfer.objects.get().status == TransferStatus.OUT_PARENT


def test_start_is_for_branches_only(client, w):
    login(client, w.p_jia)
    assert client.get(reverse("transfers:start")).status_code == 403
    menu = client.get(reverse("transfers:list")).content.decode()
    assert reverse("transfers:start") not in menu and reverse("transfers:appeals") in menu


def test_review_on_manage_and_batch(client, w):
    second = make_member(w.jia1, name="李二")
    a = start.transfer_apply(member=w.member, data=application(w.bing1))
    b = start.transfer_apply(member=second, data=application(w.bing1))
    login(client, w.jia1)
    todo = client.get(reverse("transfers:todo")).content.decode()
    assert "张转接" in todo and "李二" in todo and "批量同意" in todo
    detail = client.get(reverse("transfers:detail", args=[a.pk])).content.decode()
    assert "请审核 张转接 的转出申请" in detail
    client.post(reverse("transfers:detail", args=[a.pk]), {"decision": "approve", "stage": 1})
    assert Transfer.objects.get(pk=a.pk).status == TransferStatus.OUT_PARENT
    stale = client.post(reverse("transfers:detail", args=[a.pk]), {"decision": "approve", "stage": 1}, follow=True)
    assert "该转接申请已被处理" in stale.content.decode()
    response = client.post(reverse("transfers:batch_review"), {"ids": [a.pk, b.pk], "decision": "return", "reason": ""},
                           follow=True)
    assert review.ERR_RETURN_REASON in response.content.decode()
    response = client.post(reverse("transfers:batch_review"), {"ids": [a.pk, b.pk], "decision": "return",
                                                               "reason": "请核实去向"}, follow=True)
    html = response.content.decode()
    assert "已退回1条" in html
    assert Transfer.objects.get(pk=b.pk).status == TransferStatus.RETURNED_OUT_BRANCH
    assert Transfer.objects.get(pk=a.pk).status == TransferStatus.OUT_PARENT


def test_lists_filters_and_export_mask_ids(client, w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    login(client, w.tianhe)
    assert "张转接" in client.get(reverse("transfers:list"), {"side": "out"}).content.decode()
    assert "张转接" not in client.get(reverse("transfers:list"), {"side": "in"}).content.decode()
    assert "张转接" not in client.get(reverse("transfers:list"), {"status": "done"}).content.decode()
    assert "张转接" in client.get(reverse("transfers:list"), {"status": "open", "name": "张转接"}).content.decode()
    assert "张转接" not in client.get(reverse("transfers:list"), {"status": "open", "name": "李二"}).content.decode()
    today, tomorrow = timezone.localdate(), timezone.localdate() + timedelta(days=1)
    assert "张转接" in client.get(reverse("transfers:list"), {"name": "张转接", "date_from": today}).content.decode()
    assert "张转接" not in client.get(reverse("transfers:list"), {"date_from": tomorrow}).content.decode()
    response = client.get(reverse("transfers:export"), {"side": "out"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "张转接" and rows[1][1] == w.member.masked_id and w.member.id_number not in str(rows)
    login(client, w.sz)
    assert client.get(reverse("transfers:detail", args=[t.pk])).status_code == 404
    assert client.get(reverse("transfers:withdraw", args=[t.pk])).status_code == 404
    assert "张转接" not in client.get(reverse("transfers:list")).content.decode()


def test_branch_withdraws_on_manage(client, w):
    t = start.transfer_start_batch(actor=actor_of(w.jia1), member_ids=[w.member.pk], data=application(w.bing1))[0]
    login(client, w.jia1)
    assert "撤回转接申请" in client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    client.post(reverse("transfers:withdraw", args=[t.pk]), {"reason": "选错支部"})
    assert Transfer.objects.get().status == TransferStatus.WITHDRAWN


def _returned(w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    for org, stage in ((w.jia1, 1), (w.p_jia, 2)):
        t = review.transfer_approve(actor=actor_of(org), transfer=t, stage=stage)
    return review.transfer_return(actor=actor_of(w.bing1), transfer=t, stage=3, reason="不认识该团员")


def test_appeal_on_mobile_and_decision_on_manage(client, w):
    t = _returned(w)
    login_person(client, w.member.user)
    detail = client.get(reverse("transfers:m_detail", args=[t.pk])).content.decode()
    assert "我要申诉" in detail
    short = client.post(reverse("transfers:m_appeal", args=[t.pk]), {"reason": "太短"})
    assert "申诉理由" in short.content.decode() and not Appeal.objects.exists()
    client.post(reverse("transfers:m_appeal", args=[t.pk]), {"reason": REASON, "attachments": [png_upload()]})
    a = Appeal.objects.get()
    assert a.reviewer_id == w.gz.pk
    assert "申诉待审核" in client.get(reverse("transfers:m_detail", args=[t.pk])).content.decode()
    # the common superior
    login(client, w.gz)
    listed = client.get(reverse("transfers:appeals"), {"status": 0}).content.decode()
    assert "张转接" in listed
    page = client.get(reverse("transfers:appeal_detail", args=[a.pk])).content.decode()
    assert "通过" in page and REASON[:20] in page
    f = a.attachments.get()
    download = client.get(reverse("transfers:appeal_file", args=[a.pk, f.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    client.post(reverse("transfers:appeal_detail", args=[a.pk]), {"decision": "uphold"})
    assert Appeal.objects.get().status == AppealStatus.UPHELD
    assert Member.objects.get(pk=w.member.pk).branch_id == w.bing1.pk
    # a sibling and the branches below cannot open the appeal
    for org in (w.sz, w.bing1, w.tianhe):
        login(client, org)
        assert client.get(reverse("transfers:appeal_detail", args=[a.pk])).status_code in (403, 404)
        assert client.get(reverse("transfers:appeal_file", args=[a.pk, f.pk])).status_code in (403, 404)


def test_cadre_end_operator_reviews_ordinary_cadre_refused(client, w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    cadre_login(client, w.jia1)
    assert client.get(reverse("transfers:cadre_list")).status_code == 403
    client.logout()
    cadre_login(client, w.jia1, operator=True, name="钱运营", phone="13800138077")
    home = client.get(reverse("mobile:cadre_home")).content.decode()
    assert reverse("transfers:cadre_list") in home
    assert "张转接" in client.get(reverse("transfers:cadre_list")).content.decode()
    response = client.post(reverse("transfers:cadre_detail", args=[t.pk]), {"decision": "approve", "stage": 1})
    assert response["Location"] == reverse("transfers:cadre_list")
    assert Transfer.objects.get().status == TransferStatus.OUT_PARENT


def test_transferred_out_member_sees_the_text(client, w):
    data = {"transfer_type": 2, "out_province": "湖南省", "out_org": "某团委", "destination": "长沙", "reason": 1}
    t = start.transfer_apply(member=w.member, data=data)
    for org, stage in ((w.jia1, 1), (w.p_jia, 2)):
        t = review.transfer_approve(actor=actor_of(org), transfer=t, stage=stage)
    login_person(client, w.member.user)
    page = client.get(reverse("transfers:m_list")).content.decode()
    assert "可申请将组织关系转回省内" in page
    assert "可申请将组织关系转回省内" in client.get(reverse("members:profile")).content.decode()


@pytest.mark.parametrize("url", ["transfers:list", "transfers:todo", "transfers:appeals"])
def test_pages_refuse_members(client, w, url):
    login_person(client, w.member.user)
    assert client.get(reverse(url)).status_code in (302, 403)


def test_cadre_end_operator_starts_for_a_batch(client, w):
    second = make_member(w.jia1, name="李二")
    cadre_login(client, w.jia1, operator=True, name="钱运营", phone="13800138078")
    page = client.get(reverse("transfers:cadre_start")).content.decode()
    assert "张转接" in page and "李二" in page and w.member.id_number not in page
    bad = client.post(reverse("transfers:cadre_start"), {"members": [w.member.pk], "target": w.jia1.code,
                                                         "destination": "某公司", "reason": 1})
    assert start.ERR_SAME_BRANCH in bad.content.decode() and not Transfer.objects.exists()
    response = client.post(reverse("transfers:cadre_start"), {"members": [w.member.pk, second.pk],
                                                              "target": w.bing1.code, "destination": "某公司",
                                                              "reason": 1})
    assert response["Location"] == reverse("transfers:cadre_list")
    assert set(Transfer.objects.values_list("status", flat=True)) == {TransferStatus.AWAITING_MEMBER}
    client.logout()
    cadre_login(client, w.p_jia, operator=True, name="孙运营", phone="13800138079")
    assert client.get(reverse("transfers:cadre_start")).status_code == 403


def test_todo_tiles_and_the_message_link_on_the_cadre_end(client, w):
    from portal.registry import mobile_link_for

    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    login(client, w.jia1)
    home = client.get(reverse("portal:home")).content.decode()
    assert "组织关系转接审核" in home and reverse("transfers:todo") in home
    assert mobile_link_for(f"/manage/transfers/{t.pk}/") == reverse("transfers:cadre_detail", args=[t.pk])
    assert mobile_link_for(reverse("transfers:todo")) == reverse("transfers:cadre_list")


def test_appeal_list_filters(client, w):
    from django.utils import timezone

    t = _returned(w)
    from services.transfers import appeal

    appeal.appeal_submit(member=w.member, transfer=t, reason=REASON)
    login(client, w.gz)
    url = reverse("transfers:appeals")
    month = timezone.localdate().strftime("%Y-%m")
    assert "张转接" in client.get(url, {"name": "张转接", "status": "0", "month": month}).content.decode()
    assert "张转接" in client.get(url, {"phone": w.member.phone}).content.decode()
    assert "张转接" not in client.get(url, {"name": "别人"}).content.decode()
    assert "张转接" not in client.get(url, {"status": "1"}).content.decode()
    assert "张转接" not in client.get(url, {"month": "2020-01"}).content.decode()
    bad = client.get(url, {"month": "不是月份"})
    assert bad.status_code == 200 and "请选择正确的月份" in bad.content.decode()
