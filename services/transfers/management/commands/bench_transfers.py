"""bench_transfers: the hourly auto-approval sweep against the raw SQL doing the same rows, and a parent's
转接记录 against the trivial view.

Run `manage.py seed_scale --orgs 100000 --members 1000000` first (the members' benchmark data). Then
`manage.py bench_transfers --transfers 100000`:

1. builds (or reuses) ``--transfers`` open transfers of seed_scale's members (one each), half at ③ 转入团支部
   and half at ④ 其上级, ``--due`` percent of them due at the as-of time; the first ``--parent-records``
   go into branches under one parent, whose 转接记录 is measured;
2. times ``timers.transfers_auto_approve`` (conditional UPDATEs, INSERT … SELECT of the steps, completion
   moving the members, the notices through ``notify_many``) and, in the same run, hand-written SQL that
   makes the same changes to the same rows (steps, transfers, members, one site message per notice) —
   each inside a transaction that is rolled back, alternating, ``--rounds`` times; the medians give
   ``sweep_ratio`` (goal ≤ 1.5);
3. times the parent's 转接记录 page 1 round-robin with the trivial authenticated view ``portal:ping``
   (goal: p95 ≤ 2×, ``list_ratio``) and, for reference, a page of the same layout without data (修改密码:
   ``list_vs_layout_ratio``) — the layout alone costs several times the trivial view.

The last line printed is one line of JSON (DESIGN §7).
"""

import json
import random
import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from orgtree.management.commands.bench_orgtree import Command as OrgBench
from orgtree.models import Organization
from orgtree.rules import OrgType
from portal.bench import bench_settings, org_client, p50_p95_ms, round_robin, settle
from services.members.management.commands.seed_scale import bench_members
from services.members.models import Member
from services.messaging.models import Message

from ... import ancestry, timers
from ...choices import StepKind, TransferStatus
from ...models import SweepRun, Transfer, TransferOrg, TransferStep

MARK = "基准转接"  # the bench transfers' 学习/工作去向: how reruns find (and never touch anything else)
BATCH = 20_000


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "转接基准：每小时自动审核任务相对同等原生 SQL 的耗时，以及上级组织“转接记录”相对简单页面的耗时，最后输出一行 JSON"

    def add_arguments(self, parser):
        parser.add_argument("--transfers", type=int, default=100_000)
        parser.add_argument("--due", type=int, default=10, help="到期（应自动通过）的百分比")
        parser.add_argument("--parent-records", type=int, default=5_000)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=20)
        parser.add_argument("--seed", type=int, default=20261203)

    def handle(self, *args, transfers, due, parent_records, rounds, samples, warmup, seed, **opts):
        root = OrgBench()._existing_root()
        if root is None or bench_members().count() < transfers:
            raise CommandError(f"先运行 seed_scale 生成至少 {transfers} 名基准团员")
        rng = random.Random(seed)
        started = time.perf_counter()
        parent, as_of = self._build(root, transfers, due, parent_records, rng)
        build_s = time.perf_counter() - started
        with bench_settings():
            sweep, raw, counts = self._sweep(as_of, rounds)
            self._vacuum()  # the last round's rolled-back rows too
            stats = self._list(parent, samples, warmup)
        sweep_s, raw_s = statistics.median(sweep), statistics.median(raw)
        for k, (p50, p95) in stats.items():
            self.stdout.write(f"{k:<8} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")
        self.stdout.write(f"parent {parent.full_name} (id {parent.pk}, {parent.path})")
        self.stdout.write(f"sweep {sweep_s:.3f} s (rounds {[round(s, 3) for s in sweep]}), "
                          f"raw SQL {raw_s:.3f} s (rounds {[round(s, 3) for s in raw]}), {counts}")
        self.stdout.write(json.dumps({
            "bench": "transfers", "db": connection.vendor, "transfers": transfers, "due_percent": due,
            "build_s": round(build_s, 1), **counts, "sweep_s": round(sweep_s, 3), "raw_sql_s": round(raw_s, 3),
            "sweep_ratio": round(sweep_s / raw_s, 2), "sweep_goal": 1.5,
            "parent_records": Transfer.objects.filter(Q(from_branch__path__startswith=parent.path)
                                                      | Q(to_branch__path__startswith=parent.path)).count(),
            "list_p95_ms": stats["list"][1], "trivial_p95_ms": stats["trivial"][1],
            "list_ratio": round(stats["list"][1] / stats["trivial"][1], 2), "list_goal": 2,
            "layout_p95_ms": stats["layout"][1], "list_vs_layout_ratio": round(stats["list"][1] / stats["layout"][1], 2),
            "samples": samples,
        }, ensure_ascii=False))

    # --- data ---------------------------------------------------------------------------------------
    def _build(self, root, wanted, due, parent_records, rng):
        """Open bench transfers (reused when there are enough), and the parent whose list is measured."""
        now = timezone.now().replace(microsecond=0)
        as_of = now
        orgs = {o["path"]: o["pk"] for o in Organization.objects.filter(path__startswith=root.path)
                .values("pk", "path")}
        branches = list(Organization.objects.filter(path__startswith=root.path, org_type=OrgType.BRANCH)
                        .values_list("pk", "path"))
        # The parent measured: of the orgs two levels below the root (a district), the one with the most
        # branches below it; ``--parent-records`` transfers are routed into its branches, the others spread
        # over the province (some of them land there too: ``parent_records`` reports the total).
        step = Organization.steplen
        for levels in (2, 1):  # a small tree may have no district with two branches: then a city
            below = {}
            for pk, path in branches:
                if len(path) > len(root.path) + levels * step:
                    below.setdefault(path[:len(root.path) + levels * step], []).append(pk)
            parent_path = max(below, key=lambda p: len(below[p]))
            if len(below[parent_path]) >= 2:
                break
        parent = Organization.objects.get(path=parent_path)
        existing = Transfer.objects.filter(destination=MARK)
        if (existing.count() == wanted and not existing.exclude(status__in=(3, 4)).exists()
                and existing.filter(to_branch__path__startswith=parent_path).count() >= parent_records):
            return parent, Transfer.objects.filter(destination=MARK).order_by("-pk").values_list(
                "applied_at", flat=True).first()
        TransferStep.objects.filter(transfer__destination=MARK).delete()
        existing.delete()
        parent_of = {pk: orgs[path[:-Organization.steplen]] for pk, path in branches}
        path_of = dict(branches)
        members = bench_members().order_by("pk").values_list("pk", "branch_id")[:wanted]
        near = below[parent_path]
        rows = []
        for n, (member_id, branch_id) in enumerate(members.iterator(chunk_size=BATCH)):
            if n < parent_records:
                to = rng.choice([b for b in near if b != branch_id])
            else:
                to = rng.choice(branches)[0]
                while to == branch_id:
                    to = rng.choice(branches)[0]
            stage = 3 + n % 2
            is_due = rng.random() < due / 100
            since = now - ((timers.DUE_AFTER[stage] + timedelta(minutes=5)) if is_due else timedelta(hours=1))
            rows.append(Transfer(
                member_id=member_id, applicant=2, transfer_type=1, from_branch_id=branch_id,
                from_parent_id=parent_of[branch_id], to_branch_id=to, to_parent_id=parent_of[to],
                destination=MARK, reason=1, status=stage, reviewer_id=to if stage == 3 else parent_of[to],
                due_at=since + timers.DUE_AFTER[stage], applied_by="基准", applied_at=now, stage_since=since))
            if len(rows) >= BATCH:
                self._create(rows, path_of, orgs)
                rows = []
        self._create(rows, path_of, orgs)
        settle(Transfer, TransferOrg)
        self.stdout.write(f"built {Transfer.objects.filter(destination=MARK).count()} open transfers")
        return parent, as_of

    # --- the sweep against raw SQL ----------------------------------------------------------------------
    @staticmethod
    def _create(rows, path_of, orgs):
        """The transfers and the orgs that see them, as ``start`` writes them."""
        created = Transfer.objects.bulk_create(rows)
        for start in range(0, len(created), ancestry.BATCH):  # about a dozen rows each: a slice at a time
            ancestry.insert(ancestry.rows_for(
                ((t.pk, path_of[t.from_branch_id], path_of[t.to_branch_id])
                 for t in created[start:start + ancestry.BATCH]), org_ids=orgs))

    def _sweep(self, as_of, rounds):
        sweep, raw, counts = [], [], {}
        for i in range(rounds):
            for kind in (("sweep", "raw") if i % 2 == 0 else ("raw", "sweep")):
                self._vacuum()  # each rolled-back round leaves dead rows behind: start every one alike
                try:
                    with transaction.atomic():
                        started = time.perf_counter()
                        if kind == "sweep":
                            run = timers.transfers_auto_approve(as_of=as_of)
                            counts = {"due_at_3": run.in_branch, "due_at_4": run.in_parent, "completed": run.completed}
                        else:
                            self._raw(as_of)
                        (sweep if kind == "sweep" else raw).append(time.perf_counter() - started)
                        raise _Rollback
                except _Rollback:
                    pass
        if not counts.get("due_at_3") and not counts.get("due_at_4"):
            raise CommandError("没有到期的转接：数据不对")
        return sweep, raw, counts

    def _vacuum(self):
        settle(Transfer, TransferOrg, TransferStep, Member, Message, SweepRun)

    def _raw(self, as_of):
        """The same changes as the sweep, written by hand (PostgreSQL / SQLite both)."""
        q = connection.ops.quote_name
        t, s, m, msg = (q(x._meta.db_table) for x in (Transfer, TransferStep, Member, Message))
        ts = connection.ops.adapt_datetimefield_value(as_of)
        run = int(SweepRun.objects.create(as_of=as_of).pk)
        ok = (f"EXISTS (SELECT 1 FROM {m} mm WHERE mm.id = {t}.member_id AND mm.branch_id = {t}.from_branch_id "
              "AND mm.league_status = 0 AND mm.deleted_at IS NULL AND mm.transferred_out_at IS NULL "
              "AND mm.registration_status IN (3, 4, 5))")
        msg_cols = "recipient_org_id, recipient_user_id, level, subject_type, sender_org_id, title, body, link, created_at"
        step_cols = "transfer_id, stage, kind, org_id, actor_label, reason, created_at"

        def notice(cur, recipient, title, where):
            cur.execute(f"INSERT INTO {msg} ({msg_cols}) SELECT {recipient}, NULL, 1, '', {recipient}, %s, %s, "
                        f"'/manage/transfers/', %s FROM {t} x WHERE {where('x')}", [title, title, ts])

        at4 = lambda x: f"{x}.sweep_run_id = {run} AND {x}.status = 4"  # noqa: E731
        at3 = lambda x: f"{x}.sweep_run_id = {run} AND {x}.status = 3"  # noqa: E731
        at3_same = lambda x: f"{at3(x)} AND {x}.to_parent_id = {x}.from_parent_id"  # noqa: E731
        with connection.cursor() as cur:
            # ④ due: steps, members moved, notices, closed
            cur.execute(f"UPDATE {t} SET sweep_run_id = %s WHERE status = 4 AND due_at <= %s AND {ok}", [run, ts])
            cur.execute(f"INSERT INTO {s} ({step_cols}) SELECT id, 4, %s, to_parent_id, '系统自动通过', '', %s "
                        f"FROM {t} x WHERE {at4('x')}", [int(StepKind.AUTO_APPROVED), ts])
            self._complete(cur, t, s, m, ts, at4, notice)
            # ③ due: steps, on to ④ with its clock, notices
            cur.execute(f"UPDATE {t} SET sweep_run_id = %s WHERE status = 3 AND due_at <= %s "
                        f"AND (to_parent_id <> from_parent_id OR {ok})", [run, ts])
            cur.execute(f"INSERT INTO {s} ({step_cols}) SELECT id, 3, %s, to_branch_id, '系统自动通过', '', %s "
                        f"FROM {t} x WHERE {at3('x')}", [int(StepKind.AUTO_APPROVED), ts])
            self._complete(cur, t, s, m, ts, at3_same, notice)
            notice(cur, "x.to_parent_id", "组织关系转接审核", at3)
            cur.execute(f"INSERT INTO {msg} ({msg_cols}) SELECT NULL, mm.user_id, 1, '', x.from_branch_id, "
                        f"'进度', '进度', '/m/transfers/', %s FROM {t} x JOIN {m} mm ON mm.id = x.member_id "
                        f"WHERE {at3('x')} AND mm.user_id IS NOT NULL", [ts])
            cur.execute(f"UPDATE {t} SET status = 4, reviewer_id = to_parent_id, stage_since = %s, due_at = %s "
                        f"WHERE {at3(t)}", [ts, connection.ops.adapt_datetimefield_value(as_of + timers.DUE_AFTER[4])])

    def _complete(self, cur, t, s, m, ts, where, notice):
        cleared = ("is_cadre = FALSE, cadre_post = NULL, cadre_post_name = '', cadre_since = NULL, cadre_nature = NULL, "
                   "party_committee_member = NULL, updated_at = %s")
        if connection.vendor == "postgresql":  # the join PostgreSQL offers for this
            cur.execute(f"UPDATE {m} SET branch_id = x.to_branch_id, {cleared} FROM {t} x "
                        f"WHERE x.member_id = {m}.id AND {where('x')}", [ts])
        else:
            cur.execute(f"UPDATE {m} SET branch_id = (SELECT x.to_branch_id FROM {t} x WHERE x.member_id = {m}.id "
                        f"AND {where('x')}), {cleared} WHERE id IN (SELECT x.member_id FROM {t} x WHERE {where('x')})",
                        [ts])
        cur.execute(f"INSERT INTO {s} (transfer_id, stage, kind, org_id, actor_label, reason, created_at) "
                    f"SELECT x.id, 0, %s, NULL, '系统', '', %s FROM {t} x WHERE {where('x')}",
                    [int(StepKind.COMPLETED), ts])
        notice(cur, "x.from_branch_id", "团员组织关系已转出", where)
        notice(cur, "x.to_branch_id", "新转入团员", where)
        cur.execute(f"UPDATE {t} SET status = %s, reviewer_id = NULL, due_at = NULL, closed_at = %s, stage_since = %s "
                    f"WHERE {where(t)}", [int(TransferStatus.COMPLETED), ts, ts])

    # --- the parent's list ------------------------------------------------------------------------------
    def _list(self, parent, samples, warmup):
        client = org_client(parent)
        n = warmup + samples
        plan = {"trivial": [(client, reverse("portal:ping"), {})] * n,
                # the service pages' layout alone (menu, header, a form, no data): what every page pays
                "layout": [(client, reverse("portal:password_change"), {})] * n,
                "list": [(client, reverse("transfers:list"), {})] * n}
        return p50_p95_ms(round_robin(plan, warmup))
