"""bench_evaluation: 教育评议 batch entry for a 50-member branch, and 年度注册进度 at the province root, each
against the trivial authenticated view ``portal:ping`` in the same run (DESIGN §7).

`manage.py bench_evaluation --orgs 100000 --members 1000000` builds (or reuses) seed_scale's province,
then, once per data set, gives every member in good standing a registration row of ``BENCH_YEAR`` (set-based
SQL: an evaluation per branch, one row per member, statuses spread 60 % 已注册 / 10 % 暂缓注册 / 30 % 未注册)
and rebuilds the tallies with ``services.tally_rebuild``. A branch is topped up to exactly 50 members for
the entry. Then, round-robin:

- ``entry``: POST of the 教育评议 page saving all 50 grades (each round changes 35 of them);
- ``progress``: GET of 年度注册进度 at the root (over every member's row, read from the tallies);
- ``trivial``: GET of ``portal:ping``;
- ``layout``: GET of the simplest page in the service pages' layout (修改密码: no data of its own), for
  what the shell (menu, header, unread count) costs before a page adds anything.

Goals: entry p95 ≤ 5× trivial (``entry_ratio``), progress p95 ≤ 2× trivial (``progress_ratio``); the JSON also
gives ``progress_layout_ratio`` (progress against the layout page). The last line printed is one line of JSON.
"""

import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from orgtree.management.commands.bench_orgtree import Command as OrgBench
from orgtree.models import Organization
from orgtree.rules import OrgType
from portal.bench import bench_settings, org_client, p50_p95_ms
from services.members.management.commands.seed_scale import bench_members
from services.members.models import IN_GOOD_STANDING, Member

from ... import selectors, services
from ...models import AnnualRegistration, Evaluation, EvaluationGrade, RegistrationTally

BRANCH_SIZE = 50
TOP_UP_PREFIX = "SCEV"
BENCH_BRANCH_NAME = "共青团基准评议团支部委员会"


class Command(BaseCommand):
    help = "教育评议与年度注册基准：50人团支部批量录入评议结果、全省年度注册进度页，对比简单页面，最后输出一行 JSON"

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=100_000)
        parser.add_argument("--members", type=int, default=1_000_000)
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=20)

    def handle(self, *args, orgs, members, samples, warmup, **opts):
        started = time.perf_counter()
        if OrgBench()._existing_root() is None or bench_members().count() < members:
            call_command("seed_scale", orgs=orgs, members=members, measure=0, stdout=self.stdout)
        root = OrgBench()._existing_root()
        years = selectors.year_choices()
        progress_year, entry_year = years[-1], years[-2]  # the oldest years shown: never a live year's data
        branch = self._branch(root)  # first: its top-up members get registration rows too
        rows = self._registrations(root, progress_year)
        build_s = time.perf_counter() - started
        self.stdout.write(f"data: {rows} registration rows of {progress_year}, branch {branch.code} of "
                          f"{BRANCH_SIZE} members ({build_s:.1f} s)")
        with bench_settings():
            timings = self._measure(root, branch, entry_year, progress_year, samples, warmup)
        stats = p50_p95_ms(timings)
        for k, (p50, p95) in stats.items():
            self.stdout.write(f"{k:<9} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (n={len(timings[k])})")
        trivial = stats["trivial"][1]
        self.stdout.write(json.dumps({
            "bench": "evaluation", "db": connection.vendor, "members": bench_members().count(),
            "registrations": rows, "branch_members": BRANCH_SIZE, "build_s": round(build_s, 2),
            **{f"{k}_p95_ms": v[1] for k, v in stats.items()}, "trivial_p50_ms": stats["trivial"][0],
            "entry_ratio": round(stats["entry"][1] / trivial, 2), "entry_goal": 5,
            "progress_ratio": round(stats["progress"][1] / trivial, 2), "progress_goal": 2,
            "layout_ratio": round(stats["layout"][1] / trivial, 2),
            "progress_layout_ratio": round(stats["progress"][1] / stats["layout"][1], 2), "samples": samples,
        }, ensure_ascii=False))

    def _registrations(self, root, year):
        """Every bench member's registration row of ``year`` and the tallies, once per data set."""
        good = Member.objects.filter(IN_GOOD_STANDING, branch__path__startswith=root.path)
        have = AnnualRegistration.objects.filter(year=year, branch__path__startswith=root.path).count()
        if have and have == good.count():
            return have
        with transaction.atomic():  # more members since: build the year again
            Evaluation.objects.filter(year=year, branch__path__startswith=root.path).delete()
        now = timezone.now()
        q = connection.ops.quote_name
        ev, reg, mem = (q(m._meta.db_table) for m in (Evaluation, AnnualRegistration, Member))
        member_sql, member_params = good.values("branch_id").query.sql_with_params()
        ids_sql, ids_params = good.values("pk").query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ev} (branch_id, year, entered_by, updated_at, submitted_at) "
                f"SELECT DISTINCT m.branch_id, %s, %s, %s, %s FROM ({member_sql}) m",
                [year, "基准数据", now, now, *member_params])
            cursor.execute(
                f"INSERT INTO {reg} (member_id, year, branch_id, evaluation_id, grade, status, prompted_at, "
                f"registered_at) "
                f"SELECT m.id, %s, m.branch_id, e.id, "
                f"CASE WHEN m.id %% 10 = 6 THEN 4 ELSE 1 + m.id %% 3 END, "
                f"CASE WHEN m.id %% 10 < 6 THEN 1 WHEN m.id %% 10 = 6 THEN 2 ELSE 0 END, %s, "
                f"CASE WHEN m.id %% 10 < 6 THEN %s END "
                f"FROM {mem} m JOIN {ev} e ON e.branch_id = m.branch_id AND e.year = %s "
                f"WHERE m.id IN ({ids_sql})",
                [year, now, now, year, *ids_params])
            services.tally_rebuild(year=year)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Evaluation, AnnualRegistration, RegistrationTally):
                    cursor.execute(f"ANALYZE {q(model._meta.db_table)}")
        return AnnualRegistration.objects.filter(year=year).count()

    def _branch(self, root):
        """A branch of the bench tree with exactly 50 members in good standing (topped up if need be)."""
        from django.db.models import Count, Q

        branch = Organization.objects.filter(path__startswith=root.path, full_name=BENCH_BRANCH_NAME).first()
        if branch is None:
            branch = (Organization.objects.filter(path__startswith=root.path, org_type=OrgType.BRANCH)
                      .annotate(n=Count("members", filter=Q(members__id_number__startswith="SC")))
                      .filter(n__lte=BRANCH_SIZE).order_by("-n", "path").first())
        if branch is None:  # every branch is bigger (a dense data set): a new branch beside one of them
            branch = self._new_branch(root)
        good = Member.objects.filter(IN_GOOD_STANDING, branch=branch)
        missing = BRANCH_SIZE - good.count()
        template = bench_members().filter(IN_GOOD_STANDING).first()
        if missing > 0 and template is None:
            raise CommandError("先运行 seed_scale 生成基准数据")
        extra = []
        # numbered after the top-ups of earlier runs (the 满28 job may have aged some of them out since)
        prefix = f"{TOP_UP_PREFIX}{branch.pk:08d}"
        start = Member.objects.filter(branch=branch, id_number__startswith=prefix).count()
        for i in range(start, start + max(missing, 0)):
            m = Member.objects.get(pk=template.pk)
            m.pk, m.branch_id, m.user_id = None, branch.pk, None
            m.id_number, m.member_number, m.phone = f"{TOP_UP_PREFIX}{branch.pk:08d}{i:03d}", "", f"136{i:08d}"
            m.political_status = 1
            m.joined_league = m.joined_league.replace(year=2015)
            extra.append(m)
        Member.objects.bulk_create(extra)
        if good.count() != BRANCH_SIZE:
            raise CommandError(f"{branch.full_name} 有 {good.count()} 名团员，不是 {BRANCH_SIZE} 名")
        return branch

    def _new_branch(self, root):
        from orgtree.services import org_create
        from portal.actors import actor_for_user
        from portal.models import User

        sibling = Organization.objects.filter(path__startswith=root.path, org_type=OrgType.BRANCH).order_by("path")[0]
        parent = Organization.objects.get(path=sibling.parent_path)
        actor = actor_for_user(User.objects.get(organization=parent, kind=User.Kind.ORG))
        branch, _password = org_create(actor=actor, data={
            "org_type": OrgType.BRANCH, "full_name": BENCH_BRANCH_NAME, "short_name": "基准评议团支部",
            "phone": "13800138000", "email": "bench@example.com", "industry": sibling.industry})
        return branch

    def _measure(self, root, branch, entry_year, progress_year, samples, warmup):
        root_client, branch_client = org_client(root), org_client(branch)
        ids = list(Member.objects.filter(IN_GOOD_STANDING, branch=branch).order_by("pk").values_list("pk", flat=True))
        Evaluation.objects.filter(branch=branch, year=entry_year).delete()
        n = warmup + samples
        grades_url, progress_url = reverse("evaluation:grades"), reverse("evaluation:progress")
        bodies = []
        for i in range(n):  # 15 优秀 (30 %), the rest alternating 合格/基本合格 round by round
            grades = {f"grade_{pk}": 1 if j < 15 else 2 + (i + j) % 2 for j, pk in enumerate(ids)}
            bodies.append({"year": entry_year, **grades})
        timings = {"trivial": [], "entry": [], "progress": [], "layout": []}
        kinds = list(timings)
        for i in range(n):
            for kind in kinds[i % len(kinds):] + kinds[: i % len(kinds)]:
                t0 = time.perf_counter()
                if kind == "entry":
                    response = branch_client.post(grades_url, bodies[i])
                    ok = response.status_code == 302
                elif kind == "progress":
                    response = root_client.get(progress_url, {"year": progress_year})
                    ok = response.status_code == 200
                elif kind == "layout":
                    response = root_client.get(reverse("portal:password_change"))
                    ok = response.status_code == 200
                else:
                    response = root_client.get(reverse("portal:ping"))
                    ok = response.status_code == 200
                elapsed = time.perf_counter() - t0
                if not ok:
                    raise CommandError(f"{kind} answered {response.status_code}")
                if i >= warmup:
                    timings[kind].append(elapsed)
        saved = EvaluationGrade.objects.filter(evaluation__branch=branch, evaluation__year=entry_year).count()
        if saved != BRANCH_SIZE:
            raise CommandError(f"entry saved {saved} grades, not {BRANCH_SIZE}")
        if "已注册" not in root_client.get(
                progress_url, {"year": progress_year}).content.decode():
            raise CommandError("progress page shows no figures")
        return timings

