"""组织关系转接 in the browser: a member applies on /m/, the four orgs approve on /manage/, the member sees
接转成功 and the new branch; and a return by the incoming branch, the member's appeal, the common superior
upholding it."""

import re

import pytest

from orgtree.rules import OrgType
from portal.models import User, WeChatIdentity

from ..factories import make_child, make_member, make_root

PASSWORD = "Branch2024ok"
APPEAL_REASON = "我已与转入团支部所在单位签订劳动合同并入职，转入团支部以不认识本人为由退回不当，请上级组织核实。" * 3


def _path(page):
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def _submit(page, label):
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


def _province():
    root = make_root()
    gz = make_child(root, OrgType.LEADING, "广州市")
    tianhe = make_child(gz, OrgType.LEADING, "天河区")
    yuexiu = make_child(gz, OrgType.LEADING, "越秀区")
    p_from = make_child(tianhe, OrgType.COMMITTEE, "甲公司")
    p_to = make_child(yuexiu, OrgType.COMMITTEE, "丙公司")
    orgs = dict(gz=gz, p_from=p_from, p_to=p_to, from_branch=make_child(p_from, OrgType.BRANCH, "甲一支部"),
                to_branch=make_child(p_to, OrgType.BRANCH, "丙一支部"))
    User.objects.filter(organization__in=orgs.values(), kind=User.Kind.ORG).update(must_change_password=False)
    for account in User.objects.filter(organization__in=orgs.values(), kind=User.Kind.ORG):
        account.set_password(PASSWORD)
        account.save()
    return orgs


def _member_login(page, base, member):
    openid = WeChatIdentity.objects.get(user=member.user, kind=WeChatIdentity.Kind.MP).external_id
    page.goto(f"{base}/m/dev-login/")
    page.fill("#external_id", openid)
    _submit(page, "模拟登录")


def _apply(page, base, target):
    page.goto(f"{base}/m/")
    with page.expect_navigation():
        page.locator("#transfer-tile").click()
    with page.expect_navigation():
        page.locator("#apply-link").click()
    page.check("input[name=transfer_type][value='1']")
    page.fill("#id_target", target.code)
    page.fill("#id_destination", "广州某科技有限公司")
    page.select_option("#id_reason", label="就业/工作调动")
    _submit(page, "提交申请")
    assert "转出团支部待审核" in page.content()


def _desk(page, base, org):
    context = page.context.browser.new_context(locale="zh-CN")
    desk = context.new_page()
    desk.goto(f"{base}/manage/login/")
    desk.fill("#id_username", org.code)
    desk.fill("#id_password", PASSWORD)
    with desk.expect_navigation():
        desk.get_by_role("button", name="登录").click()
    assert "组织关系转接审核" in desk.content()  # the to-do tile
    desk.goto(f"{base}/manage/transfers/todo/")
    with desk.expect_navigation():
        desk.locator("#transfer-table").get_by_role("link", name="审核").click()
    return context, desk


def _approve(page, base, org):
    context, desk = _desk(page, base, org)
    with desk.expect_navigation():
        desk.locator("#review-box").get_by_role("button", name="同意").click()
    assert "已同意" in desk.locator(".messages").inner_text()
    context.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_member_applies_four_orgs_approve(page, live_server, settings):
    settings.DEV_LOGIN_ENABLED = True
    base = live_server.url
    orgs = _province()
    member = make_member(orgs["from_branch"], name="张转接")
    _member_login(page, base, member)
    _apply(page, base, orgs["to_branch"])
    for key in ("from_branch", "p_from", "to_branch", "p_to"):
        _approve(page, base, orgs[key])
    page.goto(f"{base}/m/transfers/")
    assert "接转成功" in page.content()
    assert orgs["to_branch"].full_name in page.locator(".card").first.inner_text()
    page.goto(f"{base}/m/org/")
    assert orgs["to_branch"].full_name in page.content()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_incoming_branch_returns_member_appeals_superior_upholds(page, live_server, settings):
    settings.DEV_LOGIN_ENABLED = True
    base = live_server.url
    orgs = _province()
    member = make_member(orgs["from_branch"], name="李申诉")
    _member_login(page, base, member)
    _apply(page, base, orgs["to_branch"])
    for key in ("from_branch", "p_from"):
        _approve(page, base, orgs[key])
    context, desk = _desk(page, base, orgs["to_branch"])
    desk.fill("#id_reason", "本支部不认识该团员")
    with desk.expect_navigation():
        desk.locator("#review-box").get_by_role("button", name="退回").click()
    context.close()

    # 转接记录 → the latest returned → 我要申诉
    page.goto(f"{base}/m/transfers/")
    with page.expect_navigation():
        page.locator("a[id^=record-]").first.click()
    assert "转入团支部退回" in page.content()
    with page.expect_navigation():
        page.locator("#appeal-link").click()
    page.fill("#id_reason", APPEAL_REASON)
    _submit(page, "提交申诉")
    assert "申诉待审核" in page.locator("#appeal-info").inner_text()

    # the common superior (广州市) upholds on 申诉处理
    context = page.context.browser.new_context(locale="zh-CN")
    desk = context.new_page()
    desk.goto(f"{base}/manage/login/")
    desk.fill("#id_username", orgs["gz"].code)
    desk.fill("#id_password", PASSWORD)
    with desk.expect_navigation():
        desk.get_by_role("button", name="登录").click()
    assert "转接申诉审核" in desk.content()
    desk.goto(f"{base}/manage/transfers/appeals/")
    with desk.expect_navigation():
        desk.locator("#appeal-table").get_by_role("link", name="审核").click()
    with desk.expect_navigation():
        desk.locator("#decide-box").get_by_role("button", name="通过").click()
    assert "申诉已审核" in desk.locator(".messages").inner_text()
    context.close()

    page.reload()
    assert "申诉成功" in page.locator("#appeal-info").inner_text()
    assert f"您已成功转至{orgs['to_branch'].full_name}" in page.content()
