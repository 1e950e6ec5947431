"""A believable slice of Guangdong for development and demos. Idempotent; DEBUG only."""

import contextlib
import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.actors import ORG_ADMIN, Actor
from portal.demo import seed_wechat_demo
from portal.models import User
from portal.passwords import generate_password

from orgtree.models import Organization
from orgtree.rules import Industry, OrgType
from orgtree.services import org_create, org_create_root
from pages.demo import seed_content

L, C, W, G, B = OrgType.LEADING, OrgType.COMMITTEE, OrgType.WORKING, OrgType.GENERAL_BRANCH, OrgType.BRANCH
HC = {"admin_quota": 5, "admin_staffed": 4, "career_quota": 2, "career_staffed": 2}
SYSU = "4144010558"

# (full name, short name, type, extra fields, children)
TREE = [
    ("共青团广州市委员会", "团广州市委", L, {}, [
        ("共青团广州市天河区委员会", "团天河区委", L, {}, [
            ("共青团广州市天河区石牌街道工作委员会", "石牌街道团工委", W, {"industry": Industry.URBAN_COMMUNITY}, [
                ("共青团广州市天河区石牌街道华师社区支部委员会", "华师社区团支部", B, {"industry": Industry.URBAN_COMMUNITY}, []),
                ("共青团广州市天河区石牌街道龙口西社区支部委员会", "龙口西社区团支部", B, {"industry": Industry.URBAN_COMMUNITY}, []),
            ]),
            ("共青团广州天河软件科技有限公司委员会", "天河软件团委", C, {"industry": Industry.NON_PUBLIC}, [
                ("共青团广州天河软件科技有限公司研发中心总支部委员会", "研发中心团总支", G, {"industry": Industry.NON_PUBLIC}, [
                    ("共青团广州天河软件科技有限公司研发一部支部委员会", "研发一部团支部", B, {"industry": Industry.NON_PUBLIC}, []),
                    ("共青团广州天河软件科技有限公司研发二部支部委员会", "研发二部团支部", B, {"industry": Industry.NON_PUBLIC}, []),
                ]),
                ("共青团广州天河软件科技有限公司市场部支部委员会", "市场部团支部", B, {"industry": Industry.NON_PUBLIC}, []),
            ]),
        ]),
        ("共青团广州市越秀区委员会", "团越秀区委", L, {}, [
            ("共青团广州市越秀区北京街道委员会", "北京街道团委", C, {"industry": Industry.PARTY_GOVERNMENT}, [
                ("共青团广州市越秀区北京街道机关支部委员会", "北京街道机关团支部", B, {"industry": Industry.PARTY_GOVERNMENT}, []),
            ]),
        ]),
    ]),
    ("共青团深圳市委员会", "团深圳市委", L, {}, [
        ("共青团深圳市南山区委员会", "团南山区委", L, {}, [
            ("共青团深圳南山科技园委员会", "南山科技园团委", C, {"industry": Industry.STATE_OWNED}, [
                ("共青团深圳南山科技园青年总支部委员会", "科技园青年团总支", G, {"industry": Industry.STATE_OWNED}, [
                    ("共青团深圳南山科技园第一支部委员会", "科技园第一团支部", B, {"industry": Industry.STATE_OWNED}, []),
                ]),
            ]),
        ]),
    ]),
    ("共青团中山大学委员会", "中山大学团委", C, {"industry": Industry.UNIVERSITY, "is_school": True, "school_code": SYSU}, [
        ("共青团中山大学计算机学院委员会", "计算机学院团委", C,
         {"industry": Industry.UNIVERSITY, "is_school": True, "school_code": SYSU}, [
            ("共青团中山大学计算机学院2023级计算机科学与技术1班支部委员会", "2023级计科1班团支部", B,
             {"industry": Industry.UNIVERSITY, "is_school": True, "school_code": SYSU, "graduation_year": 2027}, []),
            ("共青团中山大学计算机学院2024级软件工程2班支部委员会", "2024级软工2班团支部", B,
             {"industry": Industry.UNIVERSITY, "is_school": True, "school_code": SYSU, "graduation_year": 2028}, []),
        ]),
        ("共青团中山大学岭南学院委员会", "岭南学院团委", C,
         {"industry": Industry.UNIVERSITY, "is_school": True, "school_code": SYSU}, [
            ("共青团中山大学岭南学院2022级经济学1班支部委员会", "2022级经济学1班团支部", B,
             {"industry": Industry.UNIVERSITY, "is_school": True, "school_code": SYSU, "graduation_year": 2026}, []),
        ]),
    ]),
]

# Accounts whose fresh passwords the command prints: each demo branch comes with its direct parent, which
# reviews its 团籍 changes and deletions (the branch itself reviews 报到).
DEMO_LOGINS = ["团广东省委", "团广州市委", "团天河区委", "天河软件团委", "研发中心团总支", "研发一部团支部",
               "中山大学团委", "计算机学院团委", "2023级计科1班团支部"]
DEMO_BRANCHES = ["研发一部团支部", "2023级计科1班团支部"]
# Loggers that speak once per saved page or background task; a demo run prints only its logins.
CHATTY_LOGGERS = ["wagtail", "django_tasks"]


@contextlib.contextmanager
def quiet(names):
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


class Command(BaseCommand):
    help = "生成演示数据（广东省部分组织树），可重复执行；仅在 DEBUG 模式下可用"

    def handle(self, *args, **opts):
        if not settings.DEBUG:
            raise CommandError("seed_demo 只能在 DEBUG 模式下运行，不能用于生产环境")
        with quiet(CHATTY_LOGGERS):
            self._seed()

    def _seed(self):
        with transaction.atomic():
            root = Organization.get_root_nodes().filter(is_system=True).first()
            if root is None:
                root, _ = org_create_root(full_name="中国共产主义青年团广东省委员会", short_name="团广东省委",
                                          phone="020-87195512", email="tuan@12355.net")
            self._build(root, TREE)
            logins = self._reset_demo_passwords()
        lines = ["演示账号（每次运行 seed_demo 重新生成随机密码）：", "组织账号（登录 /manage/，账号为组织ID）："]
        lines += [f"  {name:<16} 账号 {code}  密码 {password}" for name, code, password in logins]
        for short_name in DEMO_BRANCHES:
            parent = Organization.objects.get(short_name=short_name).get_parent()
            lines.append(f"  {short_name} 审核本支部团员报到；其直接上级 {parent.short_name} 审核其团籍变更和删除")
        logins_file = settings.BASE_DIR / "var" / "demo-logins.txt"
        logins_file.parent.mkdir(exist_ok=True)
        self._write(logins_file, "w", lines)
        seed_content(stdout=self.stdout, logins_file=logins_file)  # appends the CMS logins
        self._write(logins_file, "a", seed_wechat_demo())

    def _write(self, path, mode, lines):
        text = "\n".join(lines)
        self.stdout.write(text)
        with path.open(mode, encoding="utf-8") as f:
            f.write(text + "\n")

    def _build(self, parent, nodes):
        actor = Actor(kind=ORG_ADMIN, org=parent, label=f"{parent.full_name} 管理员（演示数据）")
        existing = {o.full_name: o for o in parent.get_children()}
        for full_name, short_name, org_type, extra, children in nodes:
            org = existing.get(full_name)
            if org is None:
                data = {"org_type": org_type, "full_name": full_name, "short_name": short_name,
                        "phone": "020-83560001", "email": "demo@12355.net", **extra}
                if org_type != B:
                    data.update(HC)
                org, _ = org_create(actor=actor, data=data)
                parent.refresh_from_db()
            self._build(org, children)

    def _reset_demo_passwords(self):
        logins = []
        for short_name in DEMO_LOGINS:
            org = Organization.objects.get(short_name=short_name)
            account = User.objects.get(organization=org, kind=User.Kind.ORG)
            password = generate_password()
            account.set_password(password)
            account.must_change_password = False  # demo convenience; real accounts must change it
            account.save(update_fields=["password", "must_change_password"])
            logins.append((short_name, account.username, password))
        return logins
