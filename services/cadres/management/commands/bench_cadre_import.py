"""bench_cadre_import: import N cadres from an .xlsx, and search the 通讯录 over 100,000 cadres.

`manage.py bench_cadre_import --rows 10000` on the configured database:

1. reuses (or builds, with bench_orgtree's builder) a bench org tree, and bulk-loads ``--cadres``
   cadre posts spread over it (untimed, reused on later runs);
2. times the whole batch import of a ``--rows`` sheet made in memory: upload, validation of every
   row, and the import itself (goal: ≤ 30 s for 10,000 rows);
3. times ``--samples`` 通讯录 searches (names, name prefixes, org names, posts and two-character
   words such as 书记, 天河, 团委) through the cadre end against the trivial authenticated view
   ``portal:ping`` in the same run, round-robin (goal: p95 ≤ 3×); the two-character words are also
   timed on their own (``directory_2char``).

The last line printed is one line of JSON (DESIGN §7).
"""

import json
import random
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from stdnum.cn import ric

from orgtree.management.commands.bench_orgtree import GIVEN, SURNAMES
from orgtree.management.commands.bench_orgtree import Command as OrgBench
from orgtree.models import Organization
from portal.actors import actor_for_user
from portal.exports import Sheet, workbook_bytes
from portal.bench import bench_settings, org_client, p50_p95_ms, percentile, round_robin, settle
from portal.models import User
from services.cadres import directory, imports, services
from services.cadres.models import CadreImport, CadrePerson, CadrePost, OrgGram, PostGram

TITLES = ["书记", "副书记", "组织委员", "宣传委员", "文体委员", "委员", "工作人员", "常委", "权益委员", "志愿委员"]
BATCH = 5000
DIRECTORY_REGION = "440106"  # the loaded cadres
IMPORT_REGION = "440104"  # the imported ones: never the same ID numbers


def id_number(region, n):
    """A valid resident ID, unique per (region, n) for n < 5,000,000 (birth date × sequence)."""
    day, seq = divmod(n, 500)
    year, month, dom = 1990 + day // 336, day % 336 // 28 + 1, day % 28 + 1
    birth = f"{year:04d}{month:02d}{dom:02d}"
    body = f"{region}{birth}{seq * 2 + 1:03d}"
    return body + ric.calc_check_digit(body + "0")


class Command(BaseCommand):
    help = "团干基准：批量导入 N 名团干的耗时，以及 10 万团干规模下通讯录搜索相对简单页面的耗时，最后输出一行 JSON"

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--cadres", type=int, default=100_000, help="cadre posts the directory searches")
        parser.add_argument("--orgs", type=int, default=5_000, help="size of the bench org tree if none exists")
        parser.add_argument("--samples", type=int, default=300)
        parser.add_argument("--warmup", type=int, default=30)
        parser.add_argument("--seed", type=int, default=20261127)

    def handle(self, *args, **opts):
        with bench_settings():
            self._run(opts)

    def _run(self, opts):
        rng = random.Random(opts["seed"])
        root = self._tree(opts["orgs"], rng)
        orgs = list(Organization.objects.filter(path__startswith=root.path).exclude(pk=root.pk)
                    .values_list("pk", "full_name", "short_name"))
        loaded = self._cadres(root, orgs, opts["cadres"], rng)
        self.stdout.write(f"{connection.vendor}: {len(orgs) + 1} orgs, {opts['cadres']} cadres ({loaded})")

        import_s, imported = self._import(root, opts["rows"], rng)
        self.stdout.write(f"import of {opts['rows']} rows: {import_s:.1f} s ({imported} imported)")

        timings, hits = self._measure(root, orgs, opts, rng)
        stats = p50_p95_ms(timings)
        for k, (p50, p95) in stats.items():
            self.stdout.write(f"{k:<9} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (n={len(timings[k])})")
        self.stdout.write(f"directory hits per query: median {percentile(hits, 50)}, "
                          f"{sum(1 for h in hits if h == 0)}/{len(hits)} found nothing")
        self.stdout.write(json.dumps({
            "bench": "cadre_import", "db": connection.vendor, "rows": opts["rows"], "import_s": round(import_s, 2),
            "import_goal_s": 30, "cadres": opts["cadres"],
            "directory_p50_ms": stats["directory"][0], "directory_p95_ms": stats["directory"][1],
            "trivial_p50_ms": stats["trivial"][0], "trivial_p95_ms": stats["trivial"][1],
            "directory_2char_p95_ms": stats["directory_2char"][1],
            "ratio": round(stats["directory"][1] / stats["trivial"][1], 2),
            "ratio_2char": round(stats["directory_2char"][1] / stats["trivial"][1], 2), "samples": opts["samples"],
        }, ensure_ascii=False))

    # --- data ---------------------------------------------------------------------------------
    def _tree(self, size, rng):
        bench = OrgBench()
        bench.stdout = self.stdout
        root = bench._existing_root()
        if root is None:
            self.stdout.write(f"building a bench org tree of {size} orgs (bench_orgtree's builder)")
            root = bench._build(size, rng)
            bench._analyze()
        User.objects.filter(organization=root, kind=User.Kind.ORG).update(must_change_password=False)
        return root

    def _cadres(self, root, orgs, wanted, rng):
        have = CadrePost.objects.filter(person__id_number__startswith=DIRECTORY_REGION,
                                        org__path__startswith=root.path).count()
        if have >= wanted:
            return "reused"
        started = time.perf_counter()
        for start in range(have, wanted, BATCH):
            numbers = range(start, min(start + BATCH, wanted))
            people = [CadrePerson(
                id_number=id_number(DIRECTORY_REGION, n), name=rng.choice(SURNAMES) + "".join(
                    rng.choices(GIVEN, k=rng.randint(1, 2))), phone=f"137{n:08d}", nation=1, political_status=1,
                education=5) for n in numbers]
            CadrePerson.objects.bulk_create(people)
            if people[0].pk is None:
                ids = dict(CadrePerson.objects.filter(id_number__in=[p.id_number for p in people]).values_list(
                    "id_number", "pk"))
                for p in people:
                    p.pk = ids[p.id_number]
            posts = []
            for p in people:
                org_id, full_name, short_name = rng.choice(orgs)
                title = rng.choice(TITLES)
                posts.append(CadrePost(person_id=p.pk, org_id=org_id, title=title, nature=2,
                                       search_text=f"{p.name} {title} {full_name} {short_name}"[:300]))
            CadrePost.objects.bulk_create(posts)
            if posts[0].pk is None:
                ids = dict(CadrePost.objects.filter(person_id__in=[p.pk for p in people]).values_list(
                    "person_id", "pk"))
                for post in posts:
                    post.pk = ids[post.person_id]
            names = {p.pk: p.name for p in people}
            directory.index_new_posts([(post.pk, f"{names[post.person_id]} {post.title}") for post in posts])
        directory.index_orgs_missing(set(CadrePost.objects.filter(org__path__startswith=root.path)
                                         .values_list("org_id", flat=True).distinct()))
        settle(CadrePerson, CadrePost, PostGram, OrgGram)  # VACUUM: the word lookups are index-only scans
        return f"loaded {wanted - have} in {time.perf_counter() - started:.1f} s"

    def _sheet(self, rows, rng):
        rows = ([rng.choice(SURNAMES) + rng.choice(GIVEN), "普通居民身份证", id_number(IMPORT_REGION, n),
                 f"136{n:08d}", "汉族", "", "共青团员", "普通本科", "2010-05", rng.choice(TITLES), "兼职",
                 "2023-01", "否", "某单位", ""] for n in range(rows))
        return workbook_bytes([Sheet("团干信息", imports.HEADERS, rows)])

    def _import(self, root, rows, rng):
        with transaction.atomic():  # last run's import, untimed
            CadrePost.objects.filter(org=root).delete()
            CadrePerson.objects.filter(id_number__startswith=IMPORT_REGION, posts__isnull=True).delete()
            CadreImport.objects.filter(org=root).delete()
        content = self._sheet(rows, rng)
        actor = actor_for_user(User.objects.get(organization=root, kind=User.Kind.ORG), "127.0.0.1")
        started = time.perf_counter()
        job = imports.import_create(actor=actor, upload=SimpleUploadedFile("bench.xlsx", content))
        imports.import_run(job.pk)
        elapsed = time.perf_counter() - started
        job.refresh_from_db()
        if job.status != CadreImport.Status.DONE:
            raise CommandError(f"the import did not succeed: {job.get_status_display()} {job.errors[:5]}")
        return elapsed, job.imported

    # --- measure ------------------------------------------------------------------------------
    def _searcher(self, root):
        """A joined cadre: the directory is for cadres."""
        post = CadrePost.objects.filter(org=root).select_related("person").first()
        services.cadre_join(person=post.person, userid=post.person.phone)
        post.person.refresh_from_db()
        return post.person.user

    def _measure(self, root, orgs, opts, rng):
        cadre_client = Client()
        cadre_client.force_login(self._searcher(root), backend="portal.backends.WeChatBackend")
        names = list(CadrePerson.objects.filter(id_number__startswith=DIRECTORY_REGION)
                     .values_list("name", flat=True)[:5000])

        shorts = [o[2] for o in orgs if len(o[2]) >= 4]

        def word():
            """A two-character word: a post's (书记), a common org word (团委) or one of an org name (天河)."""
            if rng.random() < 0.4 or not shorts:
                return rng.choice(["书记", "委员", "团委", "支部", "总支"])
            short = rng.choice(shorts)
            start = rng.randrange(len(short) - 3)  # not the generic suffix (团委, 团支部)
            return short[start:start + 2]

        def query():
            kind = rng.random()
            if kind < 0.3:
                return rng.choice(names)  # a full name (2–3 characters)
            if kind < 0.45:
                return rng.choice(names)[:2]  # a name prefix
            if kind < 0.7:
                short = rng.choice(orgs)[2]
                return short[: rng.choice([3, 4, 5])]  # an org name
            if kind < 0.8:
                return rng.choice(TITLES[2:5])  # a post
            return word()

        n = opts["warmup"] + opts["samples"]
        plan = {
            "trivial": [(org_client(root), reverse("portal:ping"), {})] * n,
            "directory": [(cadre_client, reverse("cadres:m_directory"), {"q": query()}) for _ in range(n)],
            "directory_2char": [(cadre_client, reverse("cadres:m_directory"), {"q": word()}) for _ in range(n)],
        }
        hits = []

        def count_hits(kind, path, params, response, timed):
            if timed and kind.startswith("directory"):
                hits.append(response.content.decode().count('href="tel:'))

        return round_robin(plan, opts["warmup"], inspect=count_hits), hits
