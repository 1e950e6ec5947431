"""bench_members: the nightly 满28 job over the seed_scale province, and 我的团员 against a trivial view.

Run `manage.py seed_scale --orgs 100000 --members 1000000` first. Then `manage.py bench_members`:

1. times ``aging.age_out`` (the nightly job: one UPDATE, then the notices and the 30-day advance
   notices through the bulk path ``notify_many``) over every member, as of today (goal ≤ 20 s for
   1,000,000), and puts the members back afterwards (untimed);
2. times 我的团员 page 1 and page 100 (by its keyset cursor) at the province root and at a branch,
   round-robin with the trivial authenticated view ``portal:ping`` in the same run (goal: p95 ≤ 5×).

The last line printed is one line of JSON (DESIGN §7).
"""

import json
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from orgtree.management.commands.bench_orgtree import Command as OrgBench
from orgtree.models import Organization
from portal.bench import bench_settings, org_client, p50_p95_ms, round_robin
from services.messaging.models import Message

from ... import aging
from ...choices import LeagueStatus, RegistrationStatus
from ...models import AgeOutRun, Member
from .seed_scale import bench_members

PAGE = 20


class Command(BaseCommand):
    help = "团员基准：满28自动离团任务耗时，以及“我的团员”第1页与第100页相对简单页面的耗时，最后输出一行 JSON"

    def add_arguments(self, parser):
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=20)

    def handle(self, *args, samples, warmup, **opts):
        root = OrgBench()._existing_root()
        members = bench_members().count()
        if root is None or not members:
            raise CommandError("先运行 seed_scale 生成基准数据")
        with bench_settings():
            self._run(root, members, samples, warmup)

    def _run(self, root, members, samples, warmup):
        self._reset()
        as_of = timezone.localdate()
        due = aging.candidates(as_of).count()
        started = time.perf_counter()
        run = aging.age_out(as_of=as_of)
        job_s = time.perf_counter() - started
        self.stdout.write(f"age_out over {members} members: {run.aged_out} aged out (of {due} due) in {job_s:.1f} s")
        self._reset()
        started = time.perf_counter()
        raw_aged, raw_told = self._raw_age_out(as_of)
        raw_s = time.perf_counter() - started
        self.stdout.write(f"raw SQL of the same rows: {raw_aged} aged out, {raw_told} told in advance in {raw_s:.1f} s")
        if (raw_aged, raw_told) != (run.aged_out, run.noticed):
            raise CommandError(f"the raw SQL did other rows: {raw_aged}/{raw_told} "
                               f"against {run.aged_out}/{run.noticed}")
        self._reset()

        timings = self._measure(root, samples, warmup)
        stats = p50_p95_ms(timings)
        for k, (p50, p95) in stats.items():
            self.stdout.write(f"{k:<13} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (n={len(timings[k])})")
        trivial = stats["trivial"][1]
        ratios = {k: round(v[1] / trivial, 2) for k, v in stats.items() if k != "trivial"}
        self.stdout.write(json.dumps({
            "bench": "members", "db": connection.vendor, "members": members, "age_out_s": round(job_s, 2),
            "age_out_goal_s": 20, "aged_out": run.aged_out, "age_out_raw_s": round(raw_s, 4),
            "age_out_ratio": round(job_s / raw_s, 2),
            **{f"{k}_p95_ms": v[1] for k, v in stats.items()}, "trivial_p50_ms": stats["trivial"][0],
            **{f"{k}_ratio": r for k, r in ratios.items()}, "ratio": max(ratios.values()), "samples": samples,
        }, ensure_ascii=False))

    @transaction.atomic
    def _raw_age_out(self, as_of):
        """The job's writes by hand: one UPDATE, the branches' notices by INSERT … SELECT, then the
        advance notices of those coming due (the branch's, once per member). Bench members have no
        WeChat login, so neither writes member messages or deliveries; neither does the job."""
        from services.cadres.models import CadrePerson, CadrePost
        from services.dues.models import DuesBill

        m, msg, bill = Member._meta.db_table, Message._meta.db_table, DuesBill._meta.db_table
        person, post = CadrePerson._meta.db_table, CadrePost._meta.db_table
        run = AgeOutRun.objects.create(as_of=as_of)
        now = timezone.now()
        good = (f"m.league_status = 0 AND m.registration_status IN (3, 4, 5) AND m.deleted_at IS NULL "
                f"AND m.transferred_out_at IS NULL AND NOT m.is_cadre AND m.id_number NOT IN ("
                f"SELECT p.id_number FROM {person} p JOIN {post} c ON c.person_id = p.id WHERE c.enabled)")
        # held back: a member who owes dues keeps the 团籍 until paid (the job's hold-back, aging.arrears_q)
        owes = f"EXISTS (SELECT 1 FROM {bill} b WHERE b.member_id = m.id AND b.paid_at IS NULL)"
        columns = ("recipient_org_id, sender_org_id, level, subject_type, subject_id, title, body, link, "
                   "created_at")
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {m} SET league_status = %s, left_on = %s, age_out_run_id = %s, updated_at = %s "
                f"WHERE id IN (SELECT m.id FROM {m} m WHERE {good} AND m.birth_date <= %s AND NOT {owes})",
                [LeagueStatus.AGED_OUT, as_of, run.pk, now, aging.birthday_cutoff(as_of)])
            cursor.execute(f"SELECT COUNT(*) FROM {m} m WHERE {good} AND m.birth_date <= %s AND {owes}",
                           [aging.birthday_cutoff(as_of)])
            cursor.execute(
                f"INSERT INTO {msg} ({columns}) SELECT b.branch_id, b.branch_id, %s, '', NULL, %s, %s, %s, %s "
                f"FROM (SELECT DISTINCT branch_id FROM {m} WHERE age_out_run_id = %s) b",
                [Message.Level.SYSTEM, "团员满28周岁自动离团", "bench", "/manage/members/aged-out/", now, run.pk])
            aged = Member.objects.filter(age_out_run=run).count()
            cursor.execute(
                f"INSERT INTO {msg} ({columns}) SELECT m.branch_id, m.branch_id, %s, %s, m.id, %s, "
                f"'团员' || m.name || %s, %s, %s FROM {m} m WHERE {good} AND m.birth_date <= %s AND m.birth_date > %s "
                f"AND NOT EXISTS (SELECT 1 FROM {msg} x WHERE x.subject_type = %s AND x.subject_id = m.id "
                f"AND x.recipient_org_id = m.branch_id)",
                [Message.Level.SYSTEM, aging.ADVANCE_SUBJECT, aging.ADVANCE_BRANCH_TITLE, "将在30天内年满28周岁",
                 reverse("members:manage_list"), now,
                 aging.birthday_cutoff(as_of + timedelta(days=aging.ADVANCE_DAYS)), aging.birthday_cutoff(as_of),
                 aging.ADVANCE_SUBJECT])
            told = cursor.rowcount
        return aged, told

    def _reset(self):
        """Undo the job's work on the bench members so every run starts from the same data."""
        with transaction.atomic():
            bench_members().filter(age_out_run__isnull=False).update(
                league_status=LeagueStatus.NORMAL, left_on=None, age_out_run=None)
            Message.objects.filter(title__in=[aging.NOTICE_TITLE, "团员满28周岁自动离团"]).delete()
            Message.objects.filter(subject_type=aging.ADVANCE_SUBJECT).delete()
            AgeOutRun.objects.all().delete()

    def _cursor(self, org):
        """The keyset cursor that opens page 100 (what following 下一页 99 times would give)."""
        ids = (Member.objects.filter(branch__path__startswith=org.path, deleted_at__isnull=True)
               .exclude(registration_status=RegistrationStatus.WITHDRAWN).order_by("-id")
               .values_list("id", flat=True))
        cursor = list(ids[99 * PAGE - 1: 99 * PAGE])
        if not cursor:
            raise CommandError(f"{org.full_name} has fewer than {99 * PAGE} members")
        return cursor[0]

    def _measure(self, root, samples, warmup):
        branch = Organization.objects.get(pk=bench_members().order_by("id").values_list("branch_id", flat=True)[0])
        root_client, branch_client = org_client(root), org_client(branch)
        url = reverse("members:manage_list")
        n = warmup + samples
        plan = {
            "trivial": [(root_client, reverse("portal:ping"), {})] * n,
            "root_page1": [(root_client, url, {})] * n,
            "root_page100": [(root_client, url, {"after": self._cursor(root)})] * n,
            "branch_page1": [(branch_client, url, {})] * n,
            "branch_page100": [(branch_client, url, {"after": self._cursor(branch)})] * n,
        }
        return round_robin(plan, warmup)
