"""bench_dues: the monthly billing and the 团费留存 view against the raw SQL doing the same rows, and the
member's 团费 page and the root's 团费查询 against the trivial view (DESIGN §7; issue 13).

`manage.py bench_dues --orgs 100000 --members 2000000` builds or reuses seed_scale's province (bench
tree and approved members), then, for a bench month (2099-01, never a real one):

1. billing: ``billing.bills_make`` (the ORM-built ``INSERT … SELECT``) and a hand-written SQL insert of the
   same rows, interleaved, the best of ``--rounds`` each (the month's bills are deleted before each);
   ``billing_ratio`` = ours / raw (goal ≤ 1.5);
2. 留存 at the root: ``retention.retention_view`` against the raw ``GROUP BY`` over the month's paid bills
   (about 60 % of the bills are marked paid in the month, retention ratios set on two levels);
   ``retention_view_ratio`` (goal ≤ 1.5);
3. pages: the member's /m/dues/ and the root's /manage/dues/ p95 against ``portal:ping``, interleaved;
   ``page_ratio`` = the worse of the two (goal ≤ 2).

The last line printed is one line of JSON.
"""

import json
import time
from datetime import date, datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orgtree.models import Organization
from portal.bench import bench_settings, org_client, p50_p95_ms, round_robin
from portal.models import User
from services.members.management.commands.seed_scale import bench_members

from ... import billing, retention, stats
from ...models import BillingRun, DuesBill, MonthStat

MONTH = date(2099, 1, 1)
PAID_IN = datetime(2099, 1, 15, 10, 0)
BENCH_USER = "bench-dues-member"


class Command(BaseCommand):
    help = "团费基准：月度账单、团费留存与原始 SQL 的耗时比，团员团费页与团费查询相对简单页面的耗时比，最后输出一行 JSON"

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=100_000)
        parser.add_argument("--members", type=int, default=2_000_000)
        parser.add_argument("--rounds", type=int, default=2)
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=20)

    def handle(self, *args, orgs, members, rounds, samples, warmup, **opts):
        started = time.perf_counter()
        call_command("seed_scale", orgs=orgs, members=members, measure=0, stdout=self.stdout)
        from orgtree.management.commands.bench_orgtree import Command as OrgBench

        root = OrgBench()._existing_root()
        total = bench_members().count()
        self.stdout.write(f"data ready: {total} members ({time.perf_counter() - started:.1f} s)")
        with bench_settings():
            billing_s, raw_s, bills = self._billing(rounds)
            self._prepare(root)
            view_s, raw_view_s = self._retention(root, rounds)
            pages = self._pages(root, samples, warmup)
        trivial = pages["trivial"][1]
        member_ratio = round(pages["member_page"][1] / trivial, 2)
        query_ratio = round(pages["root_query"][1] / trivial, 2)
        self.stdout.write(json.dumps({
            "bench": "dues", "db": connection.vendor, "members": total, "bills": bills,
            "billing_s": round(billing_s, 3), "billing_raw_s": round(raw_s, 3),
            "billing_ratio": round(billing_s / raw_s, 2), "billing_goal": 1.5,
            "retention_view_ms": round(view_s * 1000, 2), "retention_raw_ms": round(raw_view_s * 1000, 2),
            "retention_view_ratio": round(view_s / raw_view_s, 2), "retention_goal": 1.5,
            "member_page_p95_ms": pages["member_page"][1], "root_query_p95_ms": pages["root_query"][1],
            "trivial_p95_ms": trivial, "member_page_ratio": member_ratio, "root_query_ratio": query_ratio,
            "page_ratio": max(member_ratio, query_ratio), "page_goal": 2, "samples": samples,
        }, ensure_ascii=False))

    # --- 1. billing ---------------------------------------------------------------------------------
    def _clear(self):
        with transaction.atomic():
            # One DELETE: the ORM's delete() collects every bill (2,000,000) in Python first — 3 GB of
            # this process — to look for payments, and the bench's bills have none.
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(DuesBill._meta.db_table)} WHERE month = %s",
                               [MONTH])
            BillingRun.objects.filter(month=MONTH).delete()
            MonthStat.objects.filter(month=MONTH).delete()

    def _raw_insert(self):
        """The same rows by hand: good standing, not Party members, the tier by a join."""
        q = connection.ops.quote_name
        sql = (
            f"INSERT INTO {q('dues_duesbill')} (member_id, branch_id, amount, tier_name, month, created_at, recorded_by, note) "
            f"SELECT m.id, m.branch_id, t.amount, t.name, %s, %s, '', '' FROM {q('members_member')} m "
            f"JOIN {q('dues_duestier')} t ON t.income = m.income "
            "WHERE m.league_status = 0 AND m.deleted_at IS NULL AND m.transferred_out_at IS NULL "
            "AND m.registration_status IN (3, 4, 5) AND m.political_status NOT IN (2, 3) AND t.amount > 0 "
            "ON CONFLICT (member_id, month) DO NOTHING")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, (MONTH, timezone.now()))
            return cursor.rowcount

    def _billing(self, rounds):
        ours, raw, made = [], [], 0
        for _ in range(rounds):
            self._clear()
            t0 = time.perf_counter()
            raw_made = self._raw_insert()
            raw.append(time.perf_counter() - t0)
            self._clear()
            t0 = time.perf_counter()
            made = billing.bills_make(month=MONTH).bills
            ours.append(time.perf_counter() - t0)
            if made != raw_made:
                self.stderr.write(f"billing made {made} bills, the raw SQL {raw_made}")
        self.stdout.write(f"billing {made} bills: ours {min(ours):.2f} s, raw {min(raw):.2f} s")
        return min(ours), min(raw), made

    # --- 2. retention --------------------------------------------------------------------------------
    def _prepare(self, root):
        """About 60 % of the month's bills paid in the month; ratios on the root's children and grandchildren."""
        paid_at = timezone.make_aware(PAID_IN)
        with transaction.atomic():
            DuesBill.objects.filter(month=MONTH).extra(where=["(member_id %% 5) < 3"]).update(
                paid_at=paid_at, paid_via=DuesBill.Via.OFFLINE, recorded_by="基准")
            children = Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1)
            children.update(retains_dues=True, retention_ratio=10, sub_account_valid=True)
            grand = Organization.objects.filter(path__startswith=root.path, depth=root.depth + 2)
            grand.update(retains_dues=True, retention_ratio=5, sub_account_valid=False)
        stats.stats_build(month=MONTH)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE dues_duesbill")

    def _raw_retention(self, root):
        width = len(root.path) + 2 * Organization.steplen
        substr = "SUBSTR" if connection.vendor == "sqlite" else "SUBSTRING"
        sql = (f"SELECT {substr}(o.path, 1, {width}), SUM(b.amount) FROM dues_duesbill b "
               "JOIN orgtree_organization o ON o.id = b.branch_id "
               "WHERE b.paid_at >= %s AND b.paid_at < %s AND o.path LIKE %s "
               f"GROUP BY {substr}(o.path, 1, {width})")
        start = timezone.make_aware(datetime(2099, 1, 1))
        end = timezone.make_aware(datetime(2099, 2, 1))
        with connection.cursor() as cursor:
            cursor.execute(sql, (start, end, root.path + "%"))
            return cursor.fetchall()

    def _retention(self, root, rounds):
        ours, raw = [], []
        for _ in range(max(rounds, 3)):
            t0 = time.perf_counter()
            self._raw_retention(root)
            raw.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            rows = retention.retention_view(root, MONTH)
            ours.append(time.perf_counter() - t0)
        self.stdout.write(f"retention at the root ({len(rows)} rows, {rows[0].collected} collected): "
                          f"ours {min(ours) * 1000:.1f} ms, raw {min(raw) * 1000:.1f} ms")
        return min(ours), min(raw)

    # --- 3. pages ------------------------------------------------------------------------------------
    def _member_client(self):
        member = bench_members().filter(dues_bills__month=MONTH).order_by("id").first()
        user = User.objects.filter(username=BENCH_USER).first()
        if user is None:
            user = User.objects.create(username=BENCH_USER, kind=User.Kind.MEMBER, organization_id=member.branch_id,
                                       first_name=member.name)
        if member.user_id != user.pk:
            type(member).objects.filter(user=user).update(user=None)
            type(member).objects.filter(pk=member.pk).update(user=user)
        client = Client()
        client.force_login(user, backend="portal.backends.WeChatBackend")
        return client

    def _pages(self, root, samples, warmup):
        root_client, member_client = org_client(root), self._member_client()
        n = warmup + samples
        plan = {
            "trivial": [(root_client, reverse("portal:ping"), {})] * n,
            "member_page": [(member_client, reverse("dues:member_home"), {})] * n,
            "root_query": [(root_client, reverse("dues:query"), {"month": "2099-01"})] * n,
        }
        figures = p50_p95_ms(round_robin(plan, warmup))
        for k, (p50, p95) in figures.items():
            self.stdout.write(f"{k:<12} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")
        return figures
