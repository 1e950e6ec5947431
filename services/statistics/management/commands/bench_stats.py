"""bench_stats: 数据统计 at province scale (issue 15), one JSON line.

On the province of ``seed_scale`` (100,000 orgs, 2,000,000 members) it measures, in one run:

1. the nightly full refresh (every figure of every org, and the 分类统计 counts, all rows written) against
   hand-written SQL computing the same figures and counts into temporary tables — ``refresh_ratio``
   (goal ≤ 1.5); each round rolled back, so every round writes every row;
2. the 15-minute refresh after 1,000 changes (1,000 members submit a 资料修改) — ``delta_s`` (goal ≤ 10 s);
3. the 数据统计 page of the province, p95 round-robin against the trivial authenticated view — ``page_ratio``
   (goal ≤ 2), its table kept from the refresh run as the page keeps it; and the same page with its
   table built anew for every request (the first visit after a refresh) — ``page_cold_p95_ms``, ``cold_ratio``;
4. one 成长档案 PDF — ``pdf_s`` (goal ≤ 1 s).

PostgreSQL only (the raw baseline is PostgreSQL SQL).
"""

import json
import statistics as stats
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models.functions import Mod
from django.urls import reverse
from django.utils import timezone

from orgtree.management.commands.bench_orgtree import Command as OrgBench
from portal.bench import bench_settings, org_client, p50_p95_ms, round_robin
from services.members.management.commands.seed_scale import bench_members

from ... import refresh
from ...models import CategoryStat, OrgStat, RefreshRun

CHANGES = 1_000


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "数据统计基准：全量刷新相对同等原生 SQL、1000 处变更后的15分钟增量、数据统计页相对简单页面、成长档案 PDF，最后输出一行 JSON"

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=20)

    def handle(self, *args, rounds, samples, warmup, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_stats 须在 PostgreSQL 上运行（原生 SQL 对照为 PostgreSQL 语法）")
        root = OrgBench()._existing_root()
        if root is None or not bench_members().exists():
            raise CommandError("先运行 seed_scale 生成基准省份")
        as_of = timezone.now()
        month, start = refresh.month_bounds(as_of)
        full, raw = [], []
        for _ in range(rounds):  # interleaved, each rolled back
            full.append(self._rolled_back(lambda: self._full(month, as_of)))
            raw.append(self._rolled_back(lambda: self._raw(start, as_of)))
        run = refresh.refresh(kind=RefreshRun.Kind.FULL, as_of=as_of)  # kept: the page reads it
        delta_s, changed = self._rolled_back(lambda: self._delta(as_of))
        with bench_settings():
            pages = self._pages(root, samples, warmup)
        pdf_s = self._pdf()
        refresh_s, raw_s = stats.median(full), stats.median(raw)
        self.stdout.write(f"full refresh {refresh_s:.2f} s (rounds {[round(s, 2) for s in full]}), raw SQL "
                          f"{raw_s:.2f} s (rounds {[round(s, 2) for s in raw]}); delta after {CHANGES} changes "
                          f"{delta_s:.2f} s ({changed} rows rewritten)")
        for k, (p50, p95) in pages.items():
            self.stdout.write(f"{k:<8} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")
        self.stdout.write(json.dumps({
            "bench": "stats", "db": connection.vendor, "orgs": OrgStat.objects.filter(month=month).count(),
            "members": bench_members().count(), "category_rows": CategoryStat.objects.filter(month=month).count(),
            "refresh_s": round(refresh_s, 2), "raw_s": round(raw_s, 2), "refresh_ratio": round(refresh_s / raw_s, 2),
            "refresh_goal": 1.5, "kept_refresh_s": run.seconds,
            "delta_s": round(delta_s, 2), "delta_rows": changed, "delta_goal_s": 10,
            "page_p95_ms": pages["page"][1], "trivial_p95_ms": pages["trivial"][1],
            "page_ratio": round(pages["page"][1] / pages["trivial"][1], 2), "page_goal": 2,
            "page_cold_p95_ms": pages["page_cold"][1], "cold_ratio": round(pages["page_cold"][1] / pages["trivial"][1], 2),
            "pdf_s": round(pdf_s, 3), "pdf_goal_s": 1, "samples": samples,
        }, ensure_ascii=False))

    @staticmethod
    def _rolled_back(work):
        result = None
        try:
            with transaction.atomic():
                result = work()
                raise _Rollback
        except _Rollback:
            pass
        return result

    # --- 1. full refresh against the raw SQL -----------------------------------------------------------
    @staticmethod
    def _full(month, as_of):
        OrgStat.objects.filter(month=month).delete()
        started = time.perf_counter()
        refresh.refresh(kind=RefreshRun.Kind.FULL, as_of=as_of)
        return time.perf_counter() - started

    @staticmethod
    def _raw(start, as_of):
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(f"SET LOCAL work_mem = '{refresh.WORK_MEM}'")
            for sql in RAW_SQL:
                cur.execute(sql, {"start": start, "as_of": as_of, "new_year": timezone.localdate(as_of).year - 1})
        return time.perf_counter() - started

    # --- 2. the 15-minute refresh after 1,000 changes ----------------------------------------------------
    @staticmethod
    def _delta(as_of):
        from services.members.choices import RegistrationStatus
        from services.members.models import Member

        # every 1,000th approved member (a step slice would load every pk into this process)
        ids = list(bench_members().filter(registration_status=RegistrationStatus.APPROVED)
                   .annotate(spread=Mod("pk", 1_000)).filter(spread=0).order_by("pk")
                   .values_list("pk", flat=True)[:CHANGES])
        later = as_of + timedelta(minutes=1)
        Member.objects.filter(pk__in=ids).update(registration_status=RegistrationStatus.CHANGE_PENDING,
                                                 change_submitted_at=later, pending_changes={"income": 2})
        started = time.perf_counter()
        run = refresh.refresh(kind=RefreshRun.Kind.DELTA, as_of=later + timedelta(minutes=1))
        return time.perf_counter() - started, run.rows_written

    # --- 3. the page --------------------------------------------------------------------------------------
    @staticmethod
    def _pages(root, samples, warmup):
        from django.core.cache import cache

        from services.statistics import selectors
        from services.statistics.views import overview_key

        client = org_client(root)
        n = warmup + samples
        month, _ = selectors.parse_month(None)
        kept = overview_key(root, month, selectors.page_size(None), 1, selectors.last_refresh(month))

        def forget(kind):  # the cold page: its table built again, as on the first visit after a refresh
            if kind == "page_cold":
                cache.delete(kept)

        plan = {"trivial": [(client, reverse("portal:ping"), {})] * n,
                "page": [(client, reverse("statistics:overview"), {})] * n,
                "page_cold": [(client, reverse("statistics:overview"), {})] * n}
        return p50_p95_ms(round_robin(plan, warmup, before=forget))

    # --- 4. one 成长档案 PDF -----------------------------------------------------------------------------
    @staticmethod
    def _pdf():
        from services.evaluation.pdf import growth_archive_pdf

        member = bench_members().order_by("pk").first()
        growth_archive_pdf(member)  # fonts loaded once per process, as in a worker
        started = time.perf_counter()
        growth_archive_pdf(member)
        return time.perf_counter() - started


# The same figures and counts by hand-written SQL into temporary tables (what the refresh computes,
# without its writes): the baseline of ``refresh_ratio``.
_APPROVED = "registration_status IN (3, 4, 5) AND league_status = 0 AND deleted_at IS NULL AND transferred_out_at IS NULL"
_REGISTERED = ("registration_status IN (1, 3, 4, 5) AND league_status = 0 AND deleted_at IS NULL"
               " AND transferred_out_at IS NULL")
RAW_SQL = [
    f"""CREATE TEMP TABLE raw_base ON COMMIT DROP AS
    SELECT o.id, o.path, o.depth, 1 AS orgs, (o.org_type = 5)::int AS branches,
           (o.org_type <> 5 AND o.numchild = 0)::int AS empty_committees,
           (o.org_type = 5 AND COALESCE(m.good, 0) < 3)::int AS empty_branches,
           (o.org_type = 5 AND COALESCE(c.n, 0) = 0)::int AS cadreless_branches,
           COALESCE(m.registered, 0) AS registered, COALESCE(m.good, 0) AS good,
           COALESCE(c.n, 0) AS cadres, COALESCE(c.joined, 0) AS joined,
           COALESCE(tf.pending, 0) AS out_pending, COALESCE(tf.done, 0) AS out_done,
           COALESCE(tf.branch_ok, 0) AS out_branch_ok, COALESCE(tf.parent_ok, 0) AS out_parent_ok,
           COALESCE(tf.returned, 0) AS out_returned, COALESCE(tf.total, 0) AS out_total,
           COALESCE(tf.school, 0) AS out_school, COALESCE(tt.pending, 0) AS in_pending,
           COALESCE(tt.done, 0) AS in_done, COALESCE(tt.branch_ok, 0) AS in_branch_ok,
           COALESCE(tt.returned, 0) AS in_returned, COALESCE(tt.total, 0) AS in_total,
           COALESCE(r.due, 0) AS due, COALESCE(r.timely, 0) AS timely
    FROM orgtree_organization o
    LEFT JOIN (SELECT branch_id, COUNT(*) FILTER (WHERE {_REGISTERED}) AS registered,
                      COUNT(*) FILTER (WHERE {_APPROVED}) AS good
               FROM members_member GROUP BY branch_id) m ON m.branch_id = o.id
    LEFT JOIN (SELECT p.org_id, COUNT(*) AS n, COUNT(*) FILTER (WHERE pe.joined_work_at IS NOT NULL) AS joined
               FROM cadres_cadrepost p JOIN cadres_cadreperson pe ON pe.id = p.person_id GROUP BY p.org_id) c
           ON c.org_id = o.id
    LEFT JOIN (SELECT t.from_branch_id, COUNT(*) FILTER (WHERE t.status IN (14, 1, 2, 3, 4)) AS pending,
                      COUNT(*) FILTER (WHERE t.status IN (5, 15)) AS done,
                      COUNT(*) FILTER (WHERE t.status IN (2, 3, 4, 5, 15, 7, 8, 9)) AS branch_ok,
                      COUNT(*) FILTER (WHERE t.status IN (3, 4, 5, 15, 8, 9)) AS parent_ok,
                      COUNT(*) FILTER (WHERE t.status IN (8, 9)) AS returned, COUNT(*) AS total,
                      COUNT(*) FILTER (WHERE fb.is_school AND tb.is_school AND tb.school_code = fb.school_code)
                        AS school
               FROM transfers_transfer t JOIN orgtree_organization fb ON fb.id = t.from_branch_id
               LEFT JOIN orgtree_organization tb ON tb.id = t.to_branch_id GROUP BY t.from_branch_id) tf
           ON tf.from_branch_id = o.id
    LEFT JOIN (SELECT to_branch_id, COUNT(*) FILTER (WHERE status IN (3, 4)) AS pending,
                      COUNT(*) FILTER (WHERE status = 5) AS done,
                      COUNT(*) FILTER (WHERE status IN (4, 5, 9)) AS branch_ok,
                      COUNT(*) FILTER (WHERE status IN (8, 9)) AS returned,
                      COUNT(*) FILTER (WHERE status IN (3, 4, 5, 8, 9)) AS total
               FROM transfers_transfer WHERE to_branch_id IS NOT NULL GROUP BY to_branch_id) tt
           ON tt.to_branch_id = o.id
    LEFT JOIN (SELECT org_id, SUM(due) AS due, SUM(timely) AS timely FROM (
        SELECT branch_id AS org_id,
               COUNT(*) FILTER (WHERE submitted_at < %(as_of)s AND deleted_at IS NULL AND registration_status <> 0
                                AND (registration_status = 1 OR reviewed_at >= %(start)s))
             + COUNT(*) FILTER (WHERE change_submitted_at < %(as_of)s AND deleted_at IS NULL
                                AND (registration_status = 4 OR change_reviewed_at >= %(start)s)) AS due,
               COUNT(*) FILTER (WHERE reviewed_at >= %(start)s AND reviewed_at < %(as_of)s AND deleted_at IS NULL
                                AND registration_status NOT IN (0, 1)
                                AND reviewed_at <= submitted_at + interval '48 hours')
             + COUNT(*) FILTER (WHERE change_reviewed_at >= %(start)s AND change_reviewed_at < %(as_of)s
                                AND deleted_at IS NULL
                                AND change_reviewed_at <= change_submitted_at + interval '48 hours') AS timely
        FROM members_member
        WHERE registration_status IN (1, 4) OR reviewed_at >= %(start)s OR change_reviewed_at >= %(start)s
        GROUP BY branch_id
        UNION ALL
        SELECT reviewer_id, COUNT(*), COUNT(*) FILTER (WHERE status <> 0 AND reviewed_at < %(as_of)s
                                                       AND reviewed_at <= created_at + interval '48 hours')
        FROM awards_award WHERE source = 2 AND created_at < %(as_of)s AND (status = 0 OR reviewed_at >= %(start)s)
        GROUP BY reviewer_id
        UNION ALL
        SELECT reviewer_id, COUNT(*), 0 FROM transfers_transfer
        WHERE status IN (1, 2, 3, 4) AND reviewer_id IS NOT NULL AND stage_since < %(as_of)s GROUP BY reviewer_id
        UNION ALL
        SELECT org_id, COUNT(*), COUNT(*) FILTER (WHERE kind IN (3, 4) AND created_at <= received + interval '48 hours')
        FROM (SELECT s.org_id, s.kind, s.created_at, s.stage,
                     LAG(s.created_at) OVER (PARTITION BY s.transfer_id ORDER BY s.created_at, s.id) AS received
              FROM transfers_transferstep s
              WHERE s.transfer_id IN (SELECT transfer_id FROM transfers_transferstep
                                      WHERE created_at >= %(start)s AND created_at < %(as_of)s)) w
        WHERE w.stage BETWEEN 1 AND 4 AND w.org_id IS NOT NULL AND w.kind IN (3, 4, 5)
          AND w.created_at >= %(start)s AND w.created_at < %(as_of)s
        GROUP BY org_id) u GROUP BY org_id) r ON r.org_id = o.id""",
    """CREATE TEMP TABLE raw_figures ON COMMIT DROP AS
    SELECT substr(b.path, 1, 4 * k.d) AS prefix, SUM(b.orgs) AS orgs, SUM(b.branches) AS branches,
           SUM(b.empty_committees) AS empty_committees, SUM(b.empty_branches) AS empty_branches,
           SUM(b.cadreless_branches) AS cadreless_branches, SUM(b.registered) AS registered, SUM(b.good) AS good,
           SUM(b.cadres) AS cadres, SUM(b.joined) AS joined, SUM(b.out_pending) AS out_pending,
           SUM(b.out_done) AS out_done, SUM(b.out_branch_ok) AS out_branch_ok, SUM(b.out_parent_ok) AS out_parent_ok,
           SUM(b.out_returned) AS out_returned, SUM(b.out_total) AS out_total, SUM(b.out_school) AS out_school,
           SUM(b.in_pending) AS in_pending, SUM(b.in_done) AS in_done, SUM(b.in_branch_ok) AS in_branch_ok,
           SUM(b.in_returned) AS in_returned, SUM(b.in_total) AS in_total, SUM(b.due) AS due,
           SUM(b.timely) AS timely, SUM(b.due) FILTER (WHERE b.depth = k.d) AS due_own,
           SUM(b.timely) FILTER (WHERE b.depth = k.d) AS timely_own
    FROM raw_base b JOIN generate_series(1, (SELECT max(depth) FROM orgtree_organization)) k(d) ON k.d <= b.depth
    GROUP BY 1""",
    f"""CREATE TEMP TABLE raw_category_own ON COMMIT DROP AS
    SELECT o.id AS org_id, 1 AS dimension, COALESCE(o.industry, 0) * 100 + o.org_type AS k, 1 AS n
    FROM orgtree_organization o
    UNION ALL
    SELECT m.branch_id, x.dimension, x.k, COUNT(*) FROM members_member m
    JOIN orgtree_organization b ON b.id = m.branch_id
    CROSS JOIN LATERAL (VALUES (2, COALESCE(b.industry, 0) * 100), (5, m.highest_education), (6, m.income),
                               (3, CASE WHEN EXTRACT(year FROM m.joined_league) = %(new_year)s
                                        THEN COALESCE(b.industry, 0) * 100 END)) x(dimension, k)
    WHERE {_APPROVED.replace("registration_status", "m.registration_status").replace("league_status", "m.league_status")
          .replace("deleted_at", "m.deleted_at").replace("transferred_out_at", "m.transferred_out_at")}
      AND x.k IS NOT NULL
    GROUP BY m.branch_id, x.dimension, x.k
    UNION ALL
    SELECT p.org_id, 4, COALESCE(o.industry, 0) * 100 + p.nature, COUNT(*) FROM cadres_cadrepost p
    JOIN orgtree_organization o ON o.id = p.org_id GROUP BY p.org_id, COALESCE(o.industry, 0) * 100 + p.nature""",
    """CREATE TEMP TABLE raw_categories ON COMMIT DROP AS
    SELECT substr(o.path, 1, 4 * k.d) AS prefix, c.dimension, c.k, SUM(c.n) AS n
    FROM raw_category_own c JOIN orgtree_organization o ON o.id = c.org_id
    JOIN generate_series(1, (SELECT max(depth) FROM orgtree_organization)) k(d) ON k.d <= o.depth
    GROUP BY 1, 2, 3""",
]
