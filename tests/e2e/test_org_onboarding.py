"""A city committee onboards a district committee, end to end in a real browser.

Logs in as a city committee, creates a district committee, logs in as it with the one-time
password, is forced to change it, and sees the empty to-do home.
"""

import re

import pytest

from orgtree.models import Organization
from orgtree.rules import OrgType
from portal.models import User

from ..factories import make_child, make_root

CITY_PASSWORD = "Guangzhou2024"
DISTRICT = {
    "full_name": "共青团广州市天河区委员会",
    "short_name": "团天河区委",
    "phone": "020-38880000",
    "email": "tianhe@example.com",
    "admin_quota": "5",
    "admin_staffed": "4",
    "career_quota": "2",
    "career_staffed": "1",
}
DISTRICT_NEW_PASSWORD = "Tianhe2024new"


def _path(page):
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def _login(page, base, username, password):
    page.goto(f"{base}/manage/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def _logout(page):
    # 安全退出 asks confirm('确定退出？'); the dialog handler registered on the page accepts it.
    with page.expect_navigation():
        page.locator("header.top").get_by_role("button", name="安全退出").click()
    assert _path(page) == "/manage/login/"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_city_creates_district_which_changes_its_one_time_password(page, live_server):
    base = live_server.url
    root = make_root()
    city = make_child(root, OrgType.LEADING, "广州市")
    city_account = User.objects.get(organization=city, kind=User.Kind.ORG)
    city_account.set_password(CITY_PASSWORD)
    city_account.must_change_password = False
    city_account.save()

    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))

    # The city logs in through the real form and lands on its home page.
    _login(page, base, city.code, CITY_PASSWORD)
    assert _path(page) == "/manage/"
    assert page.locator("header.top .org").inner_text().strip() == city.full_name

    # 组织管理 → 新增 → fill the form → save.
    with page.expect_navigation():
        page.locator("nav.side").get_by_role("link", name="直接下级组织", exact=True).click()
    assert _path(page) == "/manage/orgs/"
    assert page.get_by_text("暂无下级组织").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="新增", exact=True).click()
    assert _path(page) == "/manage/orgs/new/"
    page.select_option("#id_org_type", label="领导机关团组织")
    assert page.input_value("#id_org_type") == str(OrgType.LEADING.value) == "1"
    # A leading body has no 行业类别: the page's script hides that row.
    assert page.locator("#row-industry").is_hidden()
    for field, value in DISTRICT.items():
        page.fill(f"#id_{field}", value)
    with page.expect_navigation():
        page.locator("#org-form").get_by_role("button", name="保存").click()

    # The credentials are shown once.
    assert _path(page) == "/manage/orgs/credentials/", page.locator("main").inner_text()
    assert page.get_by_text("新增组织成功").is_visible()
    username = page.locator("#cred-username").inner_text().strip()
    one_time_password = page.locator("#cred-password").inner_text().strip()
    district = Organization.objects.get(full_name=DISTRICT["full_name"])
    assert username == district.code
    assert district.parent_path == city.path and district.org_type == OrgType.LEADING
    assert one_time_password
    # Shown once: a reload in the same session no longer has it.
    page.reload()
    assert page.locator("#cred-password").count() == 0
    assert page.get_by_text("已不能再次查看").is_visible()

    _logout(page)
    assert dialogs == ["确定退出？"]

    # The district logs in with the one-time password and may do nothing but change it.
    _login(page, base, username, one_time_password)
    assert _path(page) == "/manage/password/"
    assert page.locator("#forced-change").is_visible()
    assert "一次性密码" in page.locator("#forced-change").inner_text()
    page.goto(f"{base}/manage/orgs/")
    assert _path(page) == "/manage/password/"
    assert page.locator("#forced-change").is_visible()

    page.fill("#id_old_password", one_time_password)
    page.fill("#id_new_password1", DISTRICT_NEW_PASSWORD)
    page.fill("#id_new_password2", DISTRICT_NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="确认修改").click()

    # The home, as the district: its one to-do is to set an operator (the manual requires one).
    assert _path(page) == "/manage/", page.locator("main").inner_text()
    assert page.get_by_text("密码修改成功").is_visible()
    assert page.locator(".tiles .tile").all_inner_texts() == ["1\n尚未设置运营者（每个组织须设置1名及以上运营者）"]
    assert page.locator("header.top .org").inner_text().strip() == DISTRICT["full_name"]
    assert page.locator("main h1").inner_text().strip() == f"您好，{DISTRICT['full_name']}"
    # The requirement is lifted: other pages open now.
    page.goto(f"{base}/manage/orgs/")
    assert _path(page) == "/manage/orgs/"

    _logout(page)

    # The city can no longer see the password it was shown once.
    _login(page, base, city.code, CITY_PASSWORD)
    assert _path(page) == "/manage/"
    page.goto(f"{base}/manage/orgs/credentials/")
    assert _path(page) == "/manage/orgs/credentials/"
    assert page.locator("#cred-password").count() == 0
    assert page.get_by_text("已不能再次查看").is_visible()
    assert one_time_password not in page.content()

    # Only a hash is stored, and the first-login requirement is gone.
    account = User.objects.get(organization=district, kind=User.Kind.ORG)
    assert account.username == username
    assert account.password != one_time_password and account.password != DISTRICT_NEW_PASSWORD
    assert DISTRICT_NEW_PASSWORD not in account.password
    assert account.check_password(DISTRICT_NEW_PASSWORD)
    assert not account.check_password(one_time_password)
    assert account.must_change_password is False
