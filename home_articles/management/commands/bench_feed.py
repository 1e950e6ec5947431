"""bench_feed: the member home feed at province scale, timed against a trivial view in the same run.

`manage.py bench_feed --orgs 100000 --articles 5000` reuses (or builds, with bench_orgtree's own
code) the bench org tree, puts the bench articles on it (精华 by the bench root, 本地 by its
children and by granted orgs further down), logs members in at random branches, then times the
member feed endpoint `/m/feed/` (one tab, one page) against `portal:ping` for the root's org
account (DESIGN §7). Two phases, each round-robin with the trivial view: first the cache as members
meet it (`feed`, and `home` = the whole member home page `/m/`; every member's tabs and pages are
visited once beforehand), then `feed_cold`, the cache invalidated before every request (what the
first reader after a publish pays: the database query and the rendering).
``ratio`` is feed p95 / trivial p95. The last line is one line of JSON."""

import datetime
import json
import random
import secrets
import time

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from home_articles.cache import bump_feed_version
from home_articles.models import ArticleKind, HomeArticle, LocalPublishingRight
from orgtree.management.commands import bench_orgtree
from orgtree.models import Organization
from orgtree.rules import OrgType
from portal.bench import bench_settings, org_client, p50_p95_ms, round_robin, timed_get
from portal.models import User

TITLE_PREFIX = "【基准】"
MEMBER_PREFIX = "bench_feed_member_"
MEMBER_BACKEND = "portal.backends.WeChatBackend"
FEATURED_SHARE = 0.05  # of the articles, by the root
DEEP_SHARE = 0.35  # 本地 by granted orgs below the root's children
DEEP_PUBLISHERS = 200
PINNED_SHARE = 0.02
PAGES = [1, 2, 3]
WORDS = "青年 志愿 服务 团员 报到 学习 活动 招募 实习 就业 创业 科技 文化 体育 公益 宣讲 主题 教育 团课 风采".split()


class Command(BaseCommand):
    help = "首页文章基准测试：在基准组织树上建立（或复用）文章与团员，测量团员首页相对简单页面的耗时"

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=100_000, help="orgs in the bench tree (bench_orgtree's)")
        parser.add_argument("--articles", type=int, default=5000)
        parser.add_argument("--members", type=int, default=100, help="members logged in at random branches")
        parser.add_argument("--samples", type=int, default=300, help="timed requests per kind")
        parser.add_argument("--warmup", type=int, default=30)
        parser.add_argument("--seed", type=int, default=20240501)

    def handle(self, *args, **opts):
        if opts["articles"] < 10 or opts["samples"] < 20 or opts["members"] < 1:
            raise CommandError("--articles ≥ 10, --samples ≥ 20, --members ≥ 1")
        with bench_settings():
            self._run(opts)

    def _run(self, opts):
        rng = random.Random(opts["seed"])
        vendor = connection.vendor
        self.stdout.write(f"bench_feed: {vendor} ({connection.settings_dict['NAME']}), orgs={opts['orgs']}, "
                          f"articles={opts['articles']}")
        root, tree_reused = self._tree(opts)
        articles_reused = self._articles(root, opts["articles"], rng)
        members = self._members(root, opts["members"], rng)
        timings = self._measure(root, members, opts, rng)

        stats = p50_p95_ms(timings)
        for k, (p50, p95) in stats.items():
            self.stdout.write(f"{k:<10} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (n={len(timings[k])})")
        trivial_p95 = stats["trivial"][1]
        ratio = round(stats["feed"][1] / trivial_p95, 2)
        cold_ratio = round(stats["feed_cold"][1] / trivial_p95, 2)
        self.stdout.write(json.dumps({
            "bench": "feed",
            "db": vendor,
            "orgs": opts["orgs"],
            "articles": opts["articles"],
            "reused": tree_reused and articles_reused,
            "feed_p50_ms": stats["feed"][0],
            "feed_p95_ms": stats["feed"][1],
            "feed_cold_p50_ms": stats["feed_cold"][0],
            "feed_cold_p95_ms": stats["feed_cold"][1],
            "home_p50_ms": stats["home"][0],
            "home_p95_ms": stats["home"][1],
            "trivial_p50_ms": stats["trivial"][0],
            "trivial_p95_ms": trivial_p95,
            "ratio": ratio,
            "cold_ratio": cold_ratio,
            "home_ratio": round(stats["home"][1] / trivial_p95, 2),
            "members": len(members),
            "samples": opts["samples"],
            "seed": opts["seed"],
        }, ensure_ascii=False))

    # ---- data ------------------------------------------------------------------------------------
    def _tree(self, opts):
        """bench_orgtree's tree: reused when it has the right size, else (re)built by its own code."""
        orgs = opts["orgs"]
        tree = bench_orgtree.Command(stdout=self.stdout, stderr=self.stderr)
        root = tree._existing_root()
        if root is not None:
            size = Organization.objects.filter(path__startswith=root.path).count()
            if size == orgs:
                self.stdout.write(f"reusing bench tree {root.path} ({size} orgs)")
                return root, True
            self.stdout.write(f"bench tree has {size} orgs, not {orgs}: rebuilding it")
            self._drop_articles(root)
            tree._drop(root)
        started = time.perf_counter()
        root = tree._build(orgs, random.Random(opts["seed"]))
        tree._analyze()
        self.stdout.write(f"built {orgs} orgs in {time.perf_counter() - started:.1f} s")
        return root, False

    def _drop_articles(self, root):
        with transaction.atomic():
            HomeArticle.objects.filter(publisher__path__startswith=root.path).delete()
            LocalPublishingRight.objects.filter(organization__path__startswith=root.path).delete()
            User.objects.filter(username__startswith=MEMBER_PREFIX).delete()

    def _articles(self, root, total, rng):
        bench = HomeArticle.objects.filter(publisher__path__startswith=root.path, title__startswith=TITLE_PREFIX)
        if bench.count() == total:
            self.stdout.write(f"reusing {total} bench articles")
            return True
        started = time.perf_counter()
        with transaction.atomic():
            bench.delete()
            children = list(Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1)
                            .order_by("path"))
            # Orgs below the root's children granted the 本地 right (cities' districts, colleges …).
            deep_ids = list(Organization.objects.filter(path__startswith=root.path, depth__in=[3, 4])
                            .exclude(org_type=OrgType.BRANCH).values_list("pk", flat=True))
            deep = list(Organization.objects.filter(pk__in=rng.sample(deep_ids, min(DEEP_PUBLISHERS, len(deep_ids)))))
            LocalPublishingRight.objects.filter(organization__in=deep).delete()
            LocalPublishingRight.objects.bulk_create(
                [LocalPublishingRight(organization=o, allowed=True, note="基准测试") for o in deep])
            n_featured = max(1, int(total * FEATURED_SHARE))
            n_deep = int(total * DEEP_SHARE) if deep else 0
            now = timezone.now()
            rows = []
            for i in range(total):
                if i < n_featured:
                    publisher, kind = root, ArticleKind.FEATURED
                elif i < n_featured + n_deep:
                    publisher, kind = rng.choice(deep), ArticleKind.LOCAL
                else:
                    publisher, kind = rng.choice(children), ArticleKind.LOCAL
                rows.append(HomeArticle(
                    title=f"{TITLE_PREFIX}{''.join(rng.sample(WORDS, 3))}{i}",
                    link_url=f"https://www.12355.net/article/{i}", kind=kind, publisher=publisher,
                    published_at=now - datetime.timedelta(minutes=rng.randrange(365 * 24 * 60)),
                    pinned=rng.random() < PINNED_SHARE, live=rng.random() > 0.03,
                ))
            HomeArticle.objects.bulk_create(rows, batch_size=2000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(HomeArticle._meta.db_table)}")
        self.stdout.write(f"created {total} bench articles in {time.perf_counter() - started:.1f} s "
                          f"({len(deep)} deeper publishers granted 本地)")
        return False

    def _members(self, root, count, rng):
        existing = list(User.objects.filter(username__startswith=MEMBER_PREFIX, kind=User.Kind.MEMBER,
                                            organization__path__startswith=root.path).order_by("username"))
        if len(existing) >= count:
            return existing[:count]
        branch_ids = list(Organization.objects.filter(path__startswith=root.path, org_type=OrgType.BRANCH)
                          .values_list("pk", flat=True))
        chosen = rng.sample(branch_ids, min(count, len(branch_ids)))
        User.objects.filter(username__startswith=MEMBER_PREFIX).delete()
        User.objects.bulk_create([
            User(username=f"{MEMBER_PREFIX}{i}", kind=User.Kind.MEMBER, organization_id=pk, first_name="基准团员",
                 password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30))
            for i, pk in enumerate(chosen)
        ])
        return list(User.objects.filter(username__startswith=MEMBER_PREFIX).order_by("username"))

    # ---- measure ---------------------------------------------------------------------------------
    def _measure(self, root, members, opts, rng):
        ping_client = org_client(root)
        member_clients = []
        for member in members:
            client = Client()
            client.force_login(member, backend=MEMBER_BACKEND)
            member_clients.append(client)
        home, feed, ping = reverse("mobile:member_home"), reverse("pages:member_feed"), reverse("portal:ping")
        tabs = ["all", "all", "featured", "local"]

        def feed_request():
            params = {"tab": rng.choice(tabs)}
            page = rng.choice([1, 1, 1, *PAGES[1:]])
            if page > 1:
                params["page"] = page
            return rng.choice(member_clients), params

        needed = 2 * len(member_clients) * len(set(tabs)) * len(PAGES)
        max_entries = getattr(cache, "_max_entries", None)
        if max_entries is not None and max_entries < needed:
            self.stdout.write(f"note: the configured {type(cache).__name__} keeps at most {max_entries} entries "
                              f"(culls beyond), fewer than the ~{needed} this run warms: the warm figures include "
                              f"misses. Production uses Redis (REDIS_URL).")
        # Every member's tabs and first pages once, untimed: the cache as members meet it during the
        # day, when nothing was published since their last visit. (feed_cold measures the other case.)
        for client in member_clients:
            for tab in set(tabs):
                for page in PAGES:
                    timed_get(client, feed, {"tab": tab, "page": page})
        n = opts["warmup"] + opts["samples"]

        def feed_plan(path):
            return [(client, path, params) for client, params in (feed_request() for _ in range(n))]

        def bump_if_cold(kind):
            if kind == "feed_cold":
                bump_feed_version()  # as after a publish: this request must query the database

        def check_rendered(kind, path, params, response, timed):
            if kind != "trivial" and 'id="home-feed"' not in response.content.decode():
                raise CommandError(f"{path} {params} did not render the feed")

        # Two phases, each interleaved round-robin with the trivial view so that machine noise falls
        # on all alike: the warm cache first, then cold requests (a cold request invalidates every
        # branch's entries, so it cannot be interleaved with the warm ones).
        trivial = [(ping_client, ping, {})] * n
        warm = round_robin({"trivial": trivial, "feed": feed_plan(feed), "home": feed_plan(home)},
                           opts["warmup"], inspect=check_rendered)
        cold = round_robin({"trivial": trivial, "feed_cold": feed_plan(feed)}, opts["warmup"],
                           before=bump_if_cold, inspect=check_rendered)
        return {"trivial": warm["trivial"] + cold["trivial"], "feed": warm["feed"], "home": warm["home"],
                "feed_cold": cold["feed_cold"]}
