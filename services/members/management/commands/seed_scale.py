"""seed_scale: a province-sized data set for the member benchmarks.

`manage.py seed_scale --orgs 100000 --members 1000000` builds (or reuses) bench_orgtree's bench tree
and loads approved members into its branches — with PostgreSQL's COPY, in large batches elsewhere —
and prints the seconds each step took. One branch gets ``BIG_BRANCH`` members so that page 100 of
我的团员 exists at branch level too. Ages run evenly from 14 to 30, so about one member in eight is
due for the nightly 满28 job. The members' ID numbers are foreign-ID numbers ``SC…`` (never a
real one) and they have no WeChat login; reruns reuse what is there.
"""

import contextlib
import json
import random
import statistics
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from orgtree.management.commands.bench_orgtree import GIVEN, SURNAMES
from orgtree.management.commands.bench_orgtree import Command as OrgBench
from orgtree.models import Organization
from orgtree.rules import OrgType

from ...choices import RegistrationStatus
from ...models import Member

PREFIX = "SC"
BIG_BRANCH = 2_100
BATCH = 20_000
ROUNDS = 3  # loads of each kind in the measure


def bench_members():
    return Member.objects.filter(id_number__startswith=PREFIX)


class Command(BaseCommand):
    help = "生成省级规模的基准数据：10 万组织、100 万团员（PostgreSQL 使用 COPY），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=100_000)
        parser.add_argument("--members", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=20261128)
        parser.add_argument("--measure", type=int, default=200_000,
                            help="团员数：本载入方式与原始 SQL 交替各载入三次到临时表，取中位数对比耗时（0 不测）")

    def handle(self, *args, orgs, members, seed, measure, **opts):
        rng = random.Random(seed)
        started = time.perf_counter()
        root = self.tree(orgs, rng)
        self.stdout.write(f"org tree: {Organization.objects.filter(path__startswith=root.path).count()} orgs "
                          f"({time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        loaded = self.members(root, members, rng)
        self.stdout.write(f"members: {members} ({loaded}, {time.perf_counter() - started:.1f} s)")
        result = {"bench": "seed_scale", "db": connection.vendor, "orgs": orgs, "members": members, "loaded": loaded}
        if measure and connection.vendor == "postgresql":
            load_s, raw_s = self.measure(root, measure, rng)
            self.stdout.write(f"loading {measure} members: COPY {load_s:.2f} s, raw INSERT … SELECT {raw_s:.2f} s")
            result.update(measured_rows=measure, load_s=round(load_s, 2), raw_load_s=round(raw_s, 2),
                          load_ratio=round(load_s / raw_s, 2))
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def tree(self, size, rng):
        bench = OrgBench()
        bench.stdout = self.stdout
        root = bench._existing_root()
        if root is None:
            root = bench._build(size, rng)
            bench._analyze()
        return root

    def branches(self, root):
        return list(Organization.objects.filter(path__startswith=root.path, org_type=OrgType.BRANCH)
                    .order_by("path").values_list("pk", flat=True))

    def members(self, root, wanted, rng):
        have = bench_members().count()
        if have >= wanted:
            return "reused"
        branches = self.branches(root)
        make = RowMaker(branches, rng)
        for start in range(have, wanted, BATCH):
            with transaction.atomic():
                load(Member._meta.db_table, make, start, min(start + BATCH, wanted))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Member._meta.db_table}")
        return f"loaded {wanted - have}"

    def measure(self, root, rows, rng):
        """(seconds of this loader, seconds of the raw SQL) for ``rows`` members, each into a fresh copy
        of the member table with its indexes and checks, so the figure exists on every run."""
        make = RowMaker(self.branches(root), rng)
        table = Member._meta.db_table

        def ours(scratch):
            for start in range(0, rows, BATCH):
                load(scratch, make, start, min(start + BATCH, rows))

        fills = {"ours": ours, "raw": lambda scratch: raw_load(scratch, make, rows)}
        timings = {kind: [] for kind in fills}
        for i in range(ROUNDS):  # alternating which goes first, so neither always meets a cold cache
            for kind in (("ours", "raw") if i % 2 == 0 else ("raw", "ours")):
                with scratch_table(table) as scratch:
                    started = time.perf_counter()
                    with transaction.atomic():
                        fills[kind](scratch)
                    timings[kind].append(time.perf_counter() - started)
        return statistics.median(timings["ours"]), statistics.median(timings["raw"])


class RowMaker:
    """Bench members as rows of the member table's columns: approved, ages 14–30, foreign ID numbers."""

    def __init__(self, branches, rng):
        self.branches, self.rng, self.big = branches, rng, branches[0]
        now = timezone.now()
        self.today = timezone.localdate()
        self.fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        defaults = {f.attname: (f.get_default() if f.has_default() or not f.null else None) for f in self.fields}
        defaults.update(created_at=now, updated_at=now, registration_status=RegistrationStatus.APPROVED,
                        submitted_at=now, reviewed_at=now, id_type=2, income=1, political_status=1, nation=1,
                        education=4, highest_education=4, hukou_province="广东省", hukou_city="广州市",
                        hukou_county="天河区", join_unit="基准单位")
        self.defaults = defaults

    def rows(self, start, stop):
        """Each row a copy of the defaults' row with the seven columns that vary set by position."""
        rng, base = self.rng, [self.defaults[f.attname] for f in self.fields]
        at = {f.attname: i for i, f in enumerate(self.fields)}
        branch, name, id_number, birth, joined, phone, sex = (at[k] for k in (
            "branch_id", "name", "id_number", "birth_date", "joined_league", "phone", "sex"))
        for n in range(start, stop):
            row = base[:]
            row[branch] = self.big if n < BIG_BRANCH else rng.choice(self.branches)
            row[name] = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
            row[id_number] = f"{PREFIX}{n:012d}"
            row[birth] = self.today - timedelta(days=rng.randint(14 * 365, 30 * 365))
            row[joined] = date(2015 + n % 2, 1 + n % 12, 1)
            row[phone] = f"135{n:08d}"
            row[sex] = 1 + n % 2
            yield row


def load(table, make, start, stop):
    """Rows ``start``–``stop`` of ``make`` into ``table``: COPY on PostgreSQL; elsewhere (the member table
    only) one multi-row INSERT."""
    rows = make.rows(start, stop)
    if connection.vendor == "postgresql":
        quoted = ", ".join(connection.ops.quote_name(c) for c in make.columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            # A writer thread sends to the server while Python makes the next rows (2 cores at work, not 1).
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN",
                          writer=QueuedLibpqWriter(raw)) as copy:
                for values in rows:
                    copy.write_row(values)
    else:
        names = [f.attname for f in make.fields]
        Member.objects.bulk_create([Member(**dict(zip(names, values))) for values in rows])


def raw_load(table, make, rows):
    """The same rows made by the database itself: ``INSERT … SELECT`` over ``generate_series``."""
    varying = {
        "branch_id": "(%s::bigint[])[1 + (n * 7919) %% %s]",
        "name": "(%s::text[])[1 + (n * 31) %% %s] || (%s::text[])[1 + (n * 17) %% %s]",
        "id_number": "'SX' || lpad(n::text, 12, '0')",
        "birth_date": "%s::date - (14 * 365 + (n * 7) %% (16 * 365))",
        "joined_league": "make_date(2015 + n %% 2, 1 + n %% 12, 1)",
        "phone": "'135' || lpad(n::text, 8, '0')",
        "sex": "1 + n %% 2",
    }
    params_of = {
        "branch_id": [make.branches, len(make.branches)],
        "name": [list(SURNAMES), len(SURNAMES), list(GIVEN), len(GIVEN)],
        "birth_date": [make.today],
    }
    exprs, params = [], []
    for f in make.fields:
        if f.attname in varying:
            exprs.append(varying[f.attname])
            params.extend(params_of.get(f.attname, []))
        else:
            exprs.append("%s")
            params.append(f.get_db_prep_save(make.defaults[f.attname], connection))
    quoted = ", ".join(connection.ops.quote_name(c) for c in make.columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) "
                       f"SELECT {', '.join(exprs)} FROM generate_series(0, %s) AS n", [*params, rows - 1])


@contextlib.contextmanager
def scratch_table(table):
    name = f"{table}_bench_scratch"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING ALL)")
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
