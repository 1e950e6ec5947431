"""电子团员证, 奖励记录, 成长档案 and 组织关系介绍信 as PDFs: read back with poppler (the member's name and
masked ID, never the full ID; WenQuanYi embedded; the page count the content needs), the refusals in
Chinese, and the scope of every download (the member's branch and its ancestors; a sibling gets 404)."""

from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse

from services.awards import pdf as award_pdf
from services.evaluation import pdf as archive_pdf
from services.members import pdf as member_pdf
from services.members.models import Member
from services.transfers import pdf as transfer_pdf
from services.transfers.models import Transfer

from ..factories import actor_of, login, login_person, make_member, png_upload
from .conftest import complete_transfer, give_awards
from .tools import assert_cjk_font_embedded, assert_person, pages, text

pytestmark = pytest.mark.django_db


def _pdf(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return response.content


# --- 电子团员证 ------------------------------------------------------------------------------------------

def test_certificate_from_the_member_detail_and_on_m(client, tree):
    m = make_member(tree.branch, name="欧阳团证", volunteer_since=date(2020, 1, 2))
    login(client, tree.branch)
    detail = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert reverse("members:certificate_pdf", args=[m.pk]) in detail
    response = client.get(reverse("members:certificate_pdf", args=[m.pk]))
    data = _pdf(response)
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("电子团员证-欧阳团证.pdf")
    assert_person(data, m)
    assert_cjk_font_embedded(data)
    assert pages(data) == 1
    body = text(data)
    assert "电子团员证" in body and "共青团广东省委员会" in body and "广州市第一中学" in body and "研发一部" in body

    login_person(client, m.user)
    profile = client.get(reverse("members:profile")).content.decode()
    assert reverse("members:m_certificate_pdf") in profile
    data = _pdf(client.get(reverse("members:m_certificate_pdf")))
    assert_person(data, m)
    assert pages(data) == 1


def test_certificate_refused_without_join_unit(client, tree):
    m = make_member(tree.branch)
    Member.objects.filter(pk=m.pk).update(join_unit="")
    login(client, tree.branch)
    response = client.get(reverse("members:certificate_pdf", args=[m.pk]))
    assert response.status_code == 403 and member_pdf.ERR_NO_JOIN_UNIT in response.content.decode()
    login_person(client, m.user)
    response = client.get(reverse("members:m_certificate_pdf"))
    assert response.status_code == 403 and member_pdf.ERR_NO_JOIN_UNIT_SELF in response.content.decode()
    assert "入团时所在单位" in client.get(reverse("members:profile")).content.decode()


def test_certificate_refused_for_a_pending_or_left_member(client, tree):
    from services.members import status
    from services.members.choices import RequestKind

    pending = make_member(tree.branch, approved=False)
    left = make_member(tree.branch)
    request = status.status_apply(actor=actor_of(tree.branch), member=left, kind=RequestKind.RESIGNED,
                                  description="本人因个人原因申请自愿退团，团支部已谈话了解情况并经支部大会讨论同意。" * 2,
                                  files=[png_upload()])
    status.request_approve(actor=actor_of(tree.general), request=request)
    left.refresh_from_db()
    assert left.has_left
    login(client, tree.branch)
    response = client.get(reverse("members:certificate_pdf", args=[pending.pk]))
    assert response.status_code == 403 and member_pdf.ERR_NOT_APPROVED in response.content.decode()
    response = client.get(reverse("members:certificate_pdf", args=[left.pk]))
    assert response.status_code == 403 and left.masked_id in response.content.decode()
    assert "恢复团籍" in response.content.decode()
    assert "certificate-link" not in client.get(reverse("members:detail", args=[left.pk])).content.decode()


def test_certificate_and_record_scope(client, tree, branch2, b_branch):
    m = make_member(tree.branch)
    urls = [reverse("members:certificate_pdf", args=[m.pk]), reverse("awards:record_pdf", args=[m.pk]),
            reverse("evaluation:member_archive_pdf", args=[m.pk])]
    for org in (tree.branch, tree.general, tree.city_a, tree.province):  # the branch and its ancestors
        login(client, org)
        for url in urls:
            assert client.get(url).status_code == 200, (org, url)
    for org in (branch2, tree.city_b, b_branch):  # a sibling branch, a sibling city, a branch there
        login(client, org)
        for url in urls:
            assert client.get(url).status_code == 404, (org, url)
    other = make_member(b_branch)
    login_person(client, other.user)  # a member's own downloads take no pk: they are always their own
    data = _pdf(client.get(reverse("members:m_certificate_pdf")))
    assert other.name in text(data) and m.masked_id not in text(data)


# --- 奖励记录 --------------------------------------------------------------------------------------------

def test_awards_record_all_and_six_months(client, tree):
    m = make_member(tree.branch, name="司马奖励")
    give_awards(tree.general, m, ["近期优秀团员"], awarded_on=date(2026, 1, 5))
    give_awards(tree.general, m, ["往年五四奖章"], awarded_on=date(2024, 5, 4))
    login(client, tree.branch)
    assert reverse("awards:record_pdf", args=[m.pk]) in client.get(reverse("members:detail", args=[m.pk])).content.decode()
    data = _pdf(client.get(reverse("awards:record_pdf", args=[m.pk]), {"period": "all"}))
    body = text(data)
    assert "近期优秀团员" in body and "往年五四奖章" in body and "团内奖励" in body and "团外奖励" in body
    assert_person(data, m)
    assert_cjk_font_embedded(data)
    data = _pdf(client.get(reverse("awards:record_pdf", args=[m.pk]), {"period": "6m"}))
    body = text(data)
    assert "近期优秀团员" in body and "往年五四奖章" not in body and "近6个月" in body

    login_person(client, m.user)
    assert reverse("awards:m_record_pdf") in client.get(reverse("awards:m_list")).content.decode()
    data = _pdf(client.get(reverse("awards:m_record_pdf"), {"period": "6m"}))
    assert "往年五四奖章" not in text(data)
    assert_person(data, m)


def test_awards_record_bad_period_is_a_chinese_error(client, tree):
    m = make_member(tree.branch)
    login(client, tree.branch)
    response = client.get(reverse("awards:record_pdf", args=[m.pk]), {"period": "1y"})
    assert response.status_code == 400 and award_pdf.ERR_PERIOD in response.content.decode()
    login_person(client, m.user)
    response = client.get(reverse("awards:m_record_pdf"), {"period": "1y"})
    assert response.status_code == 400 and award_pdf.ERR_PERIOD in response.content.decode()


def test_awards_record_with_many_awards_runs_over_pages(tree):
    m = make_member(tree.branch)
    give_awards(tree.general, m, [f"优秀团员第{i}号" for i in range(60)], awarded_on=date(2025, 12, 1))
    data = award_pdf.awards_record_pdf(Member.objects.select_related("branch").get(pk=m.pk))
    assert pages(data) > 1
    body = text(data)
    assert "优秀团员第0号" in body and "优秀团员第59号" in body and "第2页" in body


# --- 成长档案 ---------------------------------------------------------------------------------------------

def test_growth_archive_pdf_on_both_ends(client, tree, branch2):
    import time

    m = make_member(tree.branch, name="诸葛档案")
    give_awards(tree.general, m, ["优秀团员"], awarded_on=date(2025, 5, 4))
    complete_transfer(m, branch2)
    login(client, tree.general)
    page = client.get(reverse("evaluation:member_archive", args=[m.pk])).content.decode()
    assert reverse("evaluation:member_archive_pdf", args=[m.pk]) in page
    transfers_card = page[page.index('id="archive-transfers"'):]
    assert "共青团研发一部委员会 → 共青团研发二部委员会" in transfers_card and "接转成功" in transfers_card
    data = _pdf(client.get(reverse("evaluation:member_archive_pdf", args=[m.pk])))
    body = text(data)
    assert "成长档案" in body and "优秀团员" in body and "组织关系转接记录" in body and "接转成功" in body
    assert_person(data, m)
    assert_cjk_font_embedded(data)
    assert pages(data) == 1

    login_person(client, m.user)
    assert reverse("evaluation:m_archive_pdf") in client.get(reverse("evaluation:m_archive")).content.decode()
    assert_person(_pdf(client.get(reverse("evaluation:m_archive_pdf"))), m)

    member = Member.objects.select_related("branch").get(pk=m.pk)
    archive_pdf.growth_archive_pdf(member)  # warm: fonts and templates loaded once per process
    started = time.perf_counter()
    archive_pdf.growth_archive_pdf(member)
    seconds = time.perf_counter() - started
    print(f"成长档案 PDF render: {seconds:.3f} s")
    assert seconds < 5  # the benchmark's goal is 1 s; this only catches a pathological slowdown


# --- 组织关系介绍信 -------------------------------------------------------------------------------------

def test_introduction_letter_of_a_completed_transfer(client, tree, branch2, b_branch):
    m = make_member(tree.branch, name="上官转接")
    transfer = complete_transfer(m, branch2)
    assert transfer.status == 5
    url = reverse("transfers:letter_pdf", args=[transfer.pk])
    for org in (tree.branch, branch2, tree.general, tree.province):  # both branches' subtrees
        login(client, org)
        assert client.get(url).status_code == 200, org
    assert url in client.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    data = _pdf(client.get(url))
    body = text(data)
    assert "组织关系介绍信" in body and "研发二部" in body and "请接洽" in body and "接转成功" in body
    assert_person(data, m)
    assert_cjk_font_embedded(data)
    assert pages(data) == 1
    for org in (tree.city_b, b_branch):
        login(client, org)
        assert client.get(url).status_code == 404

    login_person(client, m.user)
    m_url = reverse("transfers:m_letter_pdf", args=[transfer.pk])
    assert m_url in client.get(reverse("transfers:m_detail", args=[transfer.pk])).content.decode()
    assert_person(_pdf(client.get(m_url)), m)
    other = make_member(tree.branch)
    login_person(client, other.user)
    assert client.get(m_url).status_code == 404  # another member's transfer


def test_introduction_letter_refused_until_completed(client, tree, branch2):
    from services.transfers import start

    m = make_member(tree.branch)
    transfer = start.transfer_apply(member=m, data={
        "transfer_type": 1, "target": branch2.code, "destination": "广州某科技有限公司", "reason": 1})
    login(client, tree.branch)
    response = client.get(reverse("transfers:letter_pdf", args=[transfer.pk]))
    assert response.status_code == 403 and transfer_pdf.ERR_NOT_COMPLETED in response.content.decode()
    assert "letter-link" not in client.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    login_person(client, m.user)
    response = client.get(reverse("transfers:m_letter_pdf", args=[transfer.pk]))
    assert response.status_code == 403 and transfer_pdf.ERR_NOT_COMPLETED in response.content.decode()
    assert Transfer.objects.get(pk=transfer.pk).status == transfer.status


def test_renderer_fetches_nothing_from_the_network(settings, tmp_path):
    from weasyprint import HTML

    from portal.pdf import FetchRefused, base_url, check_url, url_fetcher

    for url in ("http://127.0.0.1:9/x.png", "https://localhost:9/a.css", "file:///etc/passwd", "ftp://x/y",
                "file:///work/../etc/passwd"):
        with pytest.raises(FetchRefused):
            check_url(url)
    check_url("data:text/plain,ok")
    check_url(base_url() + "static/x.css")

    fetcher, asked = url_fetcher(), []
    original = type(fetcher).fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    type(fetcher).fetch = spy
    try:
        data = HTML(string='<img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="https://127.0.0.1:9/a.css">'
                    '<p>测试</p>', base_url=base_url(), url_fetcher=fetcher).write_pdf()
    finally:
        type(fetcher).fetch = original
    assert data.startswith(b"%PDF-") and sorted(asked) == ["http://127.0.0.1:9/x.png", "https://127.0.0.1:9/a.css"]
