"""An org sets an operator, who logs in with the phone number, works the org's pages, and is audited."""

import pytest

from orgtree.rules import OrgType
from portal.models import AuditLog, User
from services.cadres.services import cadre_create

from ..factories import actor_of, make_child, make_id_number, make_root
from .test_org_onboarding import _login, _logout, _path

ORG_PASSWORD = "Tianhe2024ok"
OPERATOR_PASSWORD = "Operator2026"
PHONE = "13912345678"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_org_sets_an_operator_who_logs_in_by_phone_and_is_audited(page, live_server):
    base = live_server.url
    district = make_child(make_child(make_root(), OrgType.LEADING, "广州市"), OrgType.LEADING, "天河区")
    account = User.objects.get(organization=district, kind=User.Kind.ORG)
    account.set_password(ORG_PASSWORD)
    account.must_change_password = False
    account.save()
    post, _ = cadre_create(actor=actor_of(district), data={
        "id_type": 1, "id_number": make_id_number("19950612"), "name": "赵敏", "phone": PHONE, "nation": 1,
        "political_status": 1, "education": 5, "title": "组织委员", "nature": 2})
    page.on("dialog", lambda dialog: dialog.accept())

    # The district sets 赵敏 as its operator and is shown the one-time password.
    _login(page, base, account.username, ORG_PASSWORD)
    page.goto(f"{base}/manage/cadres/")
    assert "尚未设置运营者" not in page.locator("main").inner_text()
    page.locator(f"#cadre-{post.pk}").get_by_role("link", name="设置运营者").click()
    page.fill("#id_label", "组织委员")
    with page.expect_navigation():
        page.get_by_role("button", name="确定").click()
    assert page.locator("#cred-username").inner_text() == PHONE
    one_time = page.locator("#cred-password").inner_text().strip()
    _logout(page)

    # The operator logs in with the phone number, must change the password, then works as the org.
    _login(page, base, PHONE, one_time)
    assert _path(page) == "/manage/password/"
    page.fill("#id_old_password", one_time)
    page.fill("#id_new_password1", OPERATOR_PASSWORD)
    page.fill("#id_new_password2", OPERATOR_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="确认修改").click()
    assert _path(page) == "/manage/"
    assert page.locator("header.top .org").inner_text().strip() == district.full_name
    assert "组织委员 赵敏" in page.locator("nav.side .who").inner_text()
    page.goto(f"{base}/manage/cadres/")
    assert page.locator(f"#cadre-{post.pk}").inner_text().count("是（组织委员）") == 1

    # The audit log names the operator: 组织名称 职位标签 姓名.
    page.goto(f"{base}/manage/system/audit/")
    log = page.locator("main table").inner_text()
    assert f"{district.full_name} 组织委员 赵敏" in log and "修改密码" in log
    assert AuditLog.objects.filter(actor_kind="operator", organization=district).exists()
