from django.core.management.base import BaseCommand, CommandError

from orgtree.models import Organization
from orgtree.services import org_create_root


class Command(BaseCommand):
    help = "建立根组织（团省委）及其账号，随机初始密码只显示一次"

    def add_arguments(self, parser):
        parser.add_argument("--full-name", default="中国共产主义青年团广东省委员会")
        parser.add_argument("--short-name", default="团广东省委")
        parser.add_argument("--phone", required=True)
        parser.add_argument("--email", required=True)

    def handle(self, *args, **opts):
        if Organization.get_root_nodes().filter(is_system=True).exists():
            raise CommandError("根组织已存在")
        org, password = org_create_root(full_name=opts["full_name"], short_name=opts["short_name"],
                                        phone=opts["phone"], email=opts["email"])
        self.stdout.write(f"已建立 {org.full_name}\n登录账号：{org.code}\n初始密码：{password}（只显示这一次，首次登录须修改）")
