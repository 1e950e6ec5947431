"""seed_scale: a province-sized data set for the member benchmarks.

`manage.py seed_scale --orgs 100000 --members 1000000` builds (or reuses) bench_orgtree's bench tree
and loads approved members into its branches — with PostgreSQL's COPY, in large batches elsewhere —
and prints the seconds each step took. One branch gets ``BIG_BRANCH`` members so that page 100 of
我的团员 exists at branch level too. Ages run evenly from 14 to 30, so about one member in eight is
due for the nightly 满28 job. The members' ID numbers are foreign-ID numbers ``SC…`` (never a
real one) and they have no WeChat login; reruns reuse what is there.
"""

import random
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from orgtree.management.commands.bench_orgtree import GIVEN, SURNAMES
from orgtree.management.commands.bench_orgtree import Command as OrgBench
from orgtree.models import Organization
from orgtree.rules import OrgType

from ...choices import RegistrationStatus
from ...models import Member

PREFIX = "SC"
BIG_BRANCH = 2_100
BATCH = 20_000


def bench_members():
    return Member.objects.filter(id_number__startswith=PREFIX)


class Command(BaseCommand):
    help = "生成省级规模的基准数据：10 万组织、100 万团员（PostgreSQL 使用 COPY），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=100_000)
        parser.add_argument("--members", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=20261128)

    def handle(self, *args, orgs, members, seed, **opts):
        rng = random.Random(seed)
        started = time.perf_counter()
        root = self.tree(orgs, rng)
        self.stdout.write(f"org tree: {Organization.objects.filter(path__startswith=root.path).count()} orgs "
                          f"({time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        loaded = self.members(root, members, rng)
        self.stdout.write(f"members: {members} ({loaded}, {time.perf_counter() - started:.1f} s)")

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
        big = branches[0]
        today = timezone.localdate()
        now = timezone.now()
        fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
        columns = [f.column for f in fields]
        defaults = {f.attname: (f.get_default() if f.has_default() or not f.null else None) for f in fields}
        defaults.update(created_at=now, updated_at=now, registration_status=RegistrationStatus.APPROVED,
                        submitted_at=now, reviewed_at=now, id_type=2, income=1, political_status=1, nation=1,
                        education=4, highest_education=4, hukou_province="广东省", hukou_city="广州市",
                        hukou_county="天河区", join_unit="基准单位")

        def row(n):
            age_days = rng.randint(14 * 365, 30 * 365)
            values = dict(defaults)
            values.update(
                branch_id=big if n < BIG_BRANCH else rng.choice(branches),
                name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
                id_number=f"{PREFIX}{n:012d}", birth_date=today - timedelta(days=age_days),
                joined_league=date(2015 + n % 2, 1 + n % 12, 1), phone=f"135{n:08d}", sex=1 + n % 2,
            )
            return [values[f.attname] for f in fields]

        for start in range(have, wanted, BATCH):
            rows = [row(n) for n in range(start, min(start + BATCH, wanted))]
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    table = connection.ops.quote_name(Member._meta.db_table)
                    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
                    with connection.cursor() as cursor, cursor.cursor.copy(
                            f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for values in rows:
                            copy.write_row(values)
                else:
                    Member.objects.bulk_create([Member(**dict(zip([f.attname for f in fields], values)))
                                                for values in rows])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Member._meta.db_table}")
        return f"loaded {wanted - have}"
