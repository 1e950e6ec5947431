"""bench_pages: the service pages issue 16 names that no workflow bench times, at province scale.

Run `manage.py seed_scale` first (the province: 100,000 orgs, 2,000,000 members). Then
`manage.py bench_pages` gives the province root's account ``--messages`` site messages (10,000) and
``--audit`` 操作日志 entries (1,000,000), both loaded once by ``INSERT … SELECT`` and reused, and
times, round-robin with the trivial authenticated view ``portal:ping`` in the same run:

- 团员详情: a member's detail page, opened by the province root (the widest scope);
- 我的消息: the root's message list, pages 1 and 50 (every message unread, so the header's unread
  badge counts too);
- 操作日志: the root's log, pages 1 and 100;
- 管理首页: the ``/manage/`` home with its to-do tiles, for the root and for a branch.

The goal is p95 ≤ 2× the trivial view. The last line printed is one line of JSON (DESIGN §7).
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from orgtree.management.commands.bench_orgtree import Command as OrgBench
from orgtree.models import Organization
from portal.audit import audit_recount
from portal.bench import bench_settings, org_client, p50_p95_ms, round_robin, settle
from portal.models import AuditLog
from services.members.management.commands.seed_scale import bench_members
from services.messaging.models import Message

#: Rows numbered n from the first parameter to the second (a recursive CTE: SQLite has no generate_series).
SERIES = "(WITH RECURSIVE s(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM s WHERE n < %s) SELECT n FROM s) AS s"
SUBJECT = "bench.pages"  # marks the bench's messages
ACTION = "bench.pages"  # and its log entries


class Command(BaseCommand):
    help = "页面基准：团员详情、我的消息（1万条）、操作日志（100万条）、管理首页，相对简单页面的耗时，最后输出一行 JSON"

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=10_000)
        parser.add_argument("--audit", type=int, default=1_000_000)
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=20)

    def handle(self, *args, messages, audit, samples, warmup, **opts):
        root = OrgBench()._existing_root()
        if root is None or not bench_members().exists():
            raise CommandError("先运行 seed_scale 生成基准数据")
        self._messages(root, messages)
        self._audit(root, audit)
        settle(Message, AuditLog)  # also after a load by an earlier run
        with bench_settings():
            stats = p50_p95_ms(self._measure(root, samples, warmup))
        for k, (p50, p95) in stats.items():
            self.stdout.write(f"{k:<15} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")
        trivial = stats["trivial"][1]
        ratios = {k: round(v[1] / trivial, 2) for k, v in stats.items() if k != "trivial"}
        # A figure per page of the table: the worse of its two variants.
        worst = {
            "member_detail": stats["member_detail"][1],
            "messages": max(stats["messages_page1"][1], stats["messages_page50"][1]),
            "audit_log": max(stats["audit_page1"][1], stats["audit_page100"][1]),
            "manage_home": max(stats["home_root"][1], stats["home_branch"][1]),
        }
        self.stdout.write(json.dumps({
            "bench": "pages", "db": connection.vendor, "messages": messages, "audit_entries": audit,
            **{f"{k}_p95_ms": v[1] for k, v in stats.items()}, **{f"{k}_p95_ms": v for k, v in worst.items()},
            **{f"{k}_ratio": r for k, r in ratios.items()},
            "ratio": round(max(worst.values()) / trivial, 2), "samples": samples,
        }, ensure_ascii=False))

    def _messages(self, root, wanted):
        have = Message.objects.filter(recipient_org=root, subject_type=SUBJECT).count()
        if have >= wanted:
            return
        table = connection.ops.quote_name(Message._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (recipient_org_id, sender_org_id, level, subject_type, subject_id, title, body, "
                f"link, created_at) SELECT %s, %s, 1, %s, n, '基准消息 ' || n, '基准消息正文', '', %s FROM {SERIES}",
                [root.pk, root.pk, SUBJECT, timezone.now(), have + 1, wanted])
            cursor.execute(f"ANALYZE {table}")  # what autovacuum does soon after a bulk load
        self.stdout.write(f"messages: {wanted - have} loaded")

    def _audit(self, root, wanted):
        have = AuditLog.objects.filter(organization=root, action=ACTION).count()
        if have >= wanted:
            return
        table = connection.ops.quote_name(AuditLog._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            # One entry every 30 seconds back from now: about a year for a million.
            back = ("%s - (n * 30) * interval '1 second'" if connection.vendor == "postgresql"
                    else "datetime(%s, '-' || (n * 30) || ' seconds')")
            cursor.execute(
                f"INSERT INTO {table} (created_at, actor_kind, actor_label, organization_id, action, object_type, "
                f"object_id, object_repr, ip) SELECT {back}, 'org_admin', '基准组织账号', %s, %s, 'member', "
                f"CAST(n AS TEXT), '基准对象 ' || n, '127.0.0.1' FROM {SERIES}",
                [timezone.now() if connection.vendor == "postgresql" else timezone.now().strftime("%Y-%m-%d %H:%M:%S"),
                 root.pk, ACTION, have + 1, wanted])
            cursor.execute(f"ANALYZE {table}")
            audit_recount(root)  # what audit_record keeps for every entry it writes
        self.stdout.write(f"audit entries: {wanted - have} loaded")

    def _measure(self, root, samples, warmup):
        member = bench_members().order_by("id").first()
        branch = Organization.objects.get(pk=member.branch_id)
        root_client, branch_client = org_client(root), org_client(branch)
        n = warmup + samples
        messages, audit = reverse("messaging:manage_list"), reverse("portal:audit_list")
        plan = {
            "trivial": [(root_client, reverse("portal:ping"), {})] * n,
            "member_detail": [(root_client, reverse("members:detail", args=[member.pk]), {})] * n,
            "messages_page1": [(root_client, messages, {})] * n,
            "messages_page50": [(root_client, messages, {"page": 50})] * n,
            "audit_page1": [(root_client, audit, {})] * n,
            "audit_page100": [(root_client, audit, {"page": 100})] * n,
            "home_root": [(root_client, reverse("portal:home"), {})] * n,
            "home_branch": [(branch_client, reverse("portal:home"), {})] * n,
        }
        return round_robin(plan, warmup)
