import datetime
import subprocess
import sys

import pytest
from django import forms
from django.conf import settings as django_settings
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from orgtree import services as org_services
from orgtree.models import Organization
from portal import registry, shell
from portal.models import AuditLog

from ..factories import actor_of, login, make_operator, org_data

pytestmark = pytest.mark.django_db


def test_home_shows_empty_todos_menu_and_org_name(client, tree):
    login(client, tree.district)
    page = client.get(reverse("portal:home")).content.decode()
    assert "尚未设置运营者" in page  # the manual requires every org to set one
    make_operator(tree.district)
    page = client.get(reverse("portal:home")).content.decode()
    assert "暂无待办事项" in page
    assert tree.district.full_name in page
    for label in ("组织管理", "查看组织树", "组织迁移", "修改密码", "操作日志", "帮助中心", "安全退出"):
        assert label in page


def test_registered_todo_tile_appears_with_count_and_link_only_when_pending(client, tree):
    pending = {tree.branch.pk: 3}
    registry.register_todo(registry.Todo(key="test.pending", label="团员报到审核",
                                         count=lambda actor: pending.get(actor.org.pk, 0),
                                         url=lambda actor: "/manage/members/?status=pending"))
    try:
        make_operator(tree.branch)
        make_operator(tree.general)
        login(client, tree.branch)
        page = client.get(reverse("portal:home")).content.decode()
        assert "团员报到审核" in page and "/manage/members/?status=pending" in page and "暂无待办事项" not in page
        assert '<div class="n">3</div>' in page
        login(client, tree.general)  # nothing pending there
        page = client.get(reverse("portal:home")).content.decode()
        assert "团员报到审核" not in page and "暂无待办事项" in page
    finally:
        registry._todos.pop("test.pending")


def test_audit_log_lists_own_org_entries_filtered_by_action_and_date(client, tree):
    actor = actor_of(tree.city_a)
    org, _ = org_services.org_create(actor=actor, data=org_data(name="花都区"))
    org_services.org_reset_password(actor=actor, org=org)
    org_services.org_create(actor=actor_of(tree.city_b), data=org_data(name="宝安区"))
    old = AuditLog.objects.filter(action="org.reset_password").get()
    AuditLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))

    login(client, tree.city_a)
    url = reverse("portal:audit_list")
    page = client.get(url).content.decode()
    assert "花都区" in page and "宝安区" not in page
    assert "新增下级组织" in page and "重置下级组织密码" in page
    page = client.get(url, {"action": "org.create"}).content.decode()
    assert "重置下级组织密码</td>" not in page and "新增下级组织</td>" in page
    today = timezone.localdate().isoformat()
    page = client.get(url, {"date_from": today}).content.decode()
    assert "新增下级组织</td>" in page and "重置下级组织密码</td>" not in page
    entry = AuditLog.objects.get(action="org.create", organization=tree.city_a, object_repr=org.full_name)
    detail = client.get(reverse("portal:audit_detail", args=[entry.pk])).content.decode()
    assert "团组织全称" in detail and "127.0.0.1" in detail


def test_audit_entry_of_another_org_is_404(client, tree):
    org, _ = org_services.org_create(actor=actor_of(tree.city_b), data=org_data(name="龙岗区"))
    entry = AuditLog.objects.get(organization=tree.city_b, action="org.create", object_repr=org.full_name)
    login(client, tree.city_a)
    assert client.get(reverse("portal:audit_detail", args=[entry.pk])).status_code == 404


def test_ping_is_authenticated(client, tree):
    assert client.get(reverse("portal:ping")).status_code == 302
    login(client, tree.city_a)
    assert client.get(reverse("portal:ping")).content == b"ok"


def test_production_settings_pass_check_deploy(tmp_path):
    env = {"SECRET_KEY": "q7Vd-3kLx9_PzR2mWc8TnB4yHs6JfUe1aG5oKiN0tXbQwErYuM", "ALLOWED_HOSTS": "tuan.example.cn",
           "PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
         "--settings=portal.settings.production"],
        cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"ALLOWED_HOSTS": "tuan.example.cn", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--settings=portal.settings.production"],
                            cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_seed_demo_is_idempotent_and_debug_only(settings, capsys, caplog, tmp_path):
    settings.BASE_DIR = tmp_path  # var/demo-logins.txt goes there, not over the real one
    import logging

    from django.core.management import CommandError, call_command

    caplog.set_level(logging.INFO)

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    settings.DEBUG = True
    call_command("seed_demo")
    count = Organization.objects.count()
    call_command("seed_demo")
    assert Organization.objects.count() == count
    from home_articles.permissions import can_publish_local

    assert can_publish_local(Organization.objects.get(short_name="团天河区委"))  # granted: shows 首页文章管理
    assert Organization.find_problems() == ([], [], [], [], [])
    sysu = Organization.objects.get(full_name="共青团中山大学委员会")
    assert sysu.is_school and sysu.school_code == "4144010558"
    branches = Organization.objects.filter(path__startswith=sysu.path, org_type=5)
    assert branches.exists() and all(b.graduation_year for b in branches)
    out = capsys.readouterr().out
    assert "团广东省委" in out and "密码" in out
    # quiet: no line per saved page or background task
    chatty = [r for r in caplog.records if r.name.split(".")[0] in ("wagtail", "django_tasks")
              and r.levelno < logging.WARNING]
    assert chatty == []
    # each demo branch and its direct parent (both review flows), and an operator, with working passwords
    from django.contrib.auth import authenticate as _authenticate
    from django.test import RequestFactory

    def authenticate(**credentials):
        return _authenticate(RequestFactory().post("/manage/login/"), **credentials)

    logins = (tmp_path / "var" / "demo-logins.txt").read_text(encoding="utf-8")
    assert "研发中心团总支" in logins and "计算机学院团委" in logins and "CMS" in logins
    for short_name in ("研发一部团支部", "研发中心团总支", "2023级计科1班团支部", "计算机学院团委"):
        line = next(ln for ln in logins.splitlines() if ln.strip().startswith(short_name + " "))
        code, password = line.split("账号 ")[1].split("  密码 ")
        org = Organization.objects.get(short_name=short_name)
        assert code.strip() == org.code
        assert authenticate(username=code.strip(), password=password.strip()).organization == org
    line = next(ln for ln in logins.splitlines() if "张丽" in ln)
    phone, password = line.split("账号 ")[1].split("  密码 ")
    user = authenticate(username=phone.strip(), password=password.strip())
    assert user is not None and user.kind == user.Kind.OPERATOR
    assert user.organization.short_name == "研发一部团支部"
    # demo people for the development login, and their welcome messages, once
    from portal.models import WeChatIdentity
    from services.messaging.models import Message

    assert WeChatIdentity.objects.filter(external_id__startswith="demo-").count() == 4  # 3 people + 1 pending 报到
    assert Message.objects.filter(title="欢迎使用智慧团建").count() == 3



class _Filter(forms.Form):
    name = forms.CharField(label="姓名", max_length=5, required=False)
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("1", "待审核")])


def test_filter_fields_are_kept_per_form_and_values_and_show_each_requests_own():
    """portal.shell.filter_fields_html keeps a declared filter form's HTML by its values: the same values
    give the same HTML, other values (and their errors) their own, and a form that builds itself or
    carries initial values is never kept."""
    shell._FIELDS_HTML.clear()
    blank = shell.filter_fields_html(_Filter())
    assert 'name="name"' in blank and 'value="1" selected' not in blank
    assert shell.filter_fields_html(_Filter()) is blank  # kept
    chosen = shell.filter_fields_html(_Filter(QueryDict("name=李娜&state=1")))
    assert 'value="李娜"' in chosen and 'value="1" selected' in chosen
    too_long = _Filter(QueryDict("name=一二三四五六"))
    assert not too_long.is_valid() and 'class="errorlist"' in shell.filter_fields_html(too_long)
    assert 'value="李娜"' not in shell.filter_fields_html(_Filter()) and "errorlist" not in blank

    class Built(_Filter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["state"].choices = [("", "全部"), ("9", "本次请求的选项")]

    assert "本次请求的选项" in shell.filter_fields_html(Built())
    assert 'value="预填"' in shell.filter_fields_html(_Filter(initial={"name": "预填"}))
    assert {key[0] for key in shell._FIELDS_HTML} == {_Filter} and len(shell._FIELDS_HTML) == 3
