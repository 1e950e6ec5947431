"""Fill 数据统计's tables set-based (DESIGN §5 Statistics, §6 jobs; reference §5.1–5.3).

:func:`refresh` computes every org's figures for the month of ``as_of`` in one statement: a per-org
*base* (what the org itself contributes: its own members, cadre records, transfers, the reviews it owes)
from one grouped scan of each source table, rolled up to every ancestor by path prefix (each base row
counted once per level above it), then upserted into :class:`OrgStat` — a row is rewritten only when a
figure changed. 团费 and 年度注册 are copied from the tables their apps keep current (``dues.MonthStat``,
``evaluation.RegistrationTally``), which already cover the subtree.

* ``delta`` (every 15 minutes): the figures above. Idempotent: a second run with nothing changed writes
  nothing.
* ``full`` (nightly): the same, then the month's :class:`CategoryStat` rows for 查看分类统计 rebuilt one
  tree level at a time (from the member and cadre tables at the bottom, every level above from the level
  below); a branch's own classification is not stored but read live.

A month's row keeps what it last showed: a run only writes the month of its ``as_of``, so after a month
rolls over the previous month's figures stay as they were at its last refresh.

及时业务响应率 (§5.1): an item due for month M is a review received before ``as_of`` and still open at the
start of M (pending, or handled in M); timely = handled in M within 48 hours of receipt. Items: 报到
(``Member.submitted_at`` → ``reviewed_at``, by the branch), 资料修改 (``change_submitted_at`` →
``change_reviewed_at``, by the branch), a member's award declaration (``Award.created_at`` →
``reviewed_at``, by its reviewer), and each stage of a transfer (the previous step → the stage's
approval, return or the timer's approval — which is never timely; pending at ``stage_since``).
Only each record's latest submission is kept, so a resubmitted item is counted once, with its latest times.
"""

import time
from datetime import datetime, time as dtime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from orgtree.models import Organization
from orgtree.rules import OrgType
from orgtree.selectors import tree_depth

from . import definitions as d
from .models import CategoryStat, Dimension, OrgStat, RefreshRun

FIGURES = ("orgs", "branches", "empty_committees", "empty_branches", "cadreless_branches", "members_registered",
           "members", "cadres", "cadres_joined", "out_pending", "out_done", "in_pending", "in_done",
           "out_branch_approved", "out_parent_approved", "out_returned", "out_total", "out_school",
           "in_branch_approved", "in_returned", "in_total", "respond_due", "respond_timely")
OWN_FIGURES = ("respond_due_own", "respond_timely_own")
WORK_MEM = "256MB"
#: Months of figures kept (数据统计 offers the last six; the rest serve the monthly reports and audits).
KEEP_MONTHS = 24
KEEP_RUNS_DAYS = 90
COPIED = ("dues_billed", "dues_paid", "registration_members", "registration_done")


def month_bounds(as_of):
    """(the first day of as_of's month, that day's midnight as an aware datetime)."""
    month = d.month_start(timezone.localdate(as_of))
    return month, timezone.make_aware(datetime.combine(month, dtime.min))


def refresh(*, kind=RefreshRun.Kind.DELTA, as_of=None):
    """Compute the month of ``as_of``; returns the :class:`RefreshRun` it logged."""
    as_of = as_of or timezone.now()
    month, start = month_bounds(as_of)
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the roll-up's grouping fits in memory (hash, not sort)
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        written = _upsert_figures(month, start, as_of)
        if kind == RefreshRun.Kind.FULL:
            written += _rebuild_categories(month, as_of)
            _prune(month, as_of)
        run = RefreshRun.objects.create(kind=kind, as_of=as_of, month=month, rows_written=written,
                                        seconds=round(time.perf_counter() - started, 3))
        forget_last_refresh(month)  # now, and again once committed (a page may have read the old one between)
        transaction.on_commit(lambda: forget_last_refresh(month))
        return run


def forget_last_refresh(month):
    from .selectors import last_refresh_key

    cache.delete(last_refresh_key(month))


def _prune(month, as_of):
    """The nightly run drops the months nobody can open any more and old run records."""
    oldest = d.recent_months(month, KEEP_MONTHS)[-1]
    OrgStat.objects.filter(month__lt=oldest).delete()
    CategoryStat.objects.filter(month__lt=oldest).delete()
    RefreshRun.objects.filter(as_of__lt=as_of - timedelta(days=KEEP_RUNS_DAYS)).delete()


# --- the per-org base --------------------------------------------------------------------------------

def _sql(qs):
    return qs.query.sql_with_params()


def _member_base():
    """Per branch: 已报到 and 团员数 (one scan of the members)."""
    from services.members.models import Member

    return _sql(Member.objects.values("branch_id").annotate(
        registered=Count("pk", filter=d.REGISTERED), good=Count("pk", filter=d.MEMBERS)).order_by())


def _member_reviews(start, as_of):
    """Per branch: the 报到 and 资料修改 reviews it owes this month. Only the records still pending or
    handled since ``start`` are read (three indexes), not the whole table."""
    from services.members.choices import RegistrationStatus as R
    from services.members.models import Member

    late = d.TIMELY
    reg_due = (Q(submitted_at__lt=as_of, deleted_at__isnull=True) & ~Q(registration_status=R.WITHDRAWN)
               & (Q(registration_status=R.PENDING) | Q(reviewed_at__gte=start)))
    reg_timely = (Q(reviewed_at__gte=start, reviewed_at__lt=as_of, deleted_at__isnull=True,
                    reviewed_at__lte=ExpressionWrapper(F("submitted_at") + late, output_field=DateTimeField()))
                  & ~Q(registration_status__in=(R.PENDING, R.WITHDRAWN)))
    chg_due = (Q(change_submitted_at__lt=as_of, deleted_at__isnull=True)
               & (Q(registration_status=R.CHANGE_PENDING) | Q(change_reviewed_at__gte=start)))
    chg_timely = Q(change_reviewed_at__gte=start, change_reviewed_at__lt=as_of, deleted_at__isnull=True,
                   change_reviewed_at__lte=ExpressionWrapper(F("change_submitted_at") + late,
                                                             output_field=DateTimeField()))
    touched = (Q(registration_status__in=(R.PENDING, R.CHANGE_PENDING)) | Q(reviewed_at__gte=start)
               | Q(change_reviewed_at__gte=start))
    return _sql(Member.objects.filter(touched).values("branch_id").annotate(
        due=Count("pk", filter=reg_due) + Count("pk", filter=chg_due),
        timely=Count("pk", filter=reg_timely) + Count("pk", filter=chg_timely),
    ).order_by())


def _cadre_base():
    from services.cadres.models import CadrePost

    return _sql(CadrePost.objects.values("org_id").annotate(
        n=Count("pk"), joined=Count("pk", filter=Q(person__joined_work_at__isnull=False))).order_by())


def _transfer_bases():
    """(outgoing side per from_branch, incoming side per to_branch) for §5.1 and §5.3."""
    from services.transfers.choices import DONE_STATES, OPEN_STATES, TransferStatus as S
    from services.transfers.models import Transfer

    past_1 = (S.OUT_PARENT, S.IN_BRANCH, S.IN_PARENT, S.COMPLETED, S.TRANSFERRED_OUT, S.RETURNED_OUT_PARENT,
              S.RETURNED_IN_BRANCH, S.RETURNED_IN_PARENT)
    past_2 = (S.IN_BRANCH, S.IN_PARENT, S.COMPLETED, S.TRANSFERRED_OUT, S.RETURNED_IN_BRANCH, S.RETURNED_IN_PARENT)
    refused = (S.RETURNED_IN_BRANCH, S.RETURNED_IN_PARENT)
    out = Transfer.objects.values("from_branch_id").annotate(
        pending=Count("pk", filter=Q(status__in=OPEN_STATES)),
        done=Count("pk", filter=Q(status__in=DONE_STATES)),
        branch_ok=Count("pk", filter=Q(status__in=past_1)),
        parent_ok=Count("pk", filter=Q(status__in=past_2)),
        returned=Count("pk", filter=Q(status__in=refused)),
        total=Count("pk"),
        school=Count("pk", filter=Q(from_branch__is_school=True, to_branch__is_school=True,
                                    to_branch__school_code=F("from_branch__school_code"))),
    ).order_by()
    incoming = Transfer.objects.filter(to_branch__isnull=False).values("to_branch_id").annotate(
        pending=Count("pk", filter=Q(status__in=(S.IN_BRANCH, S.IN_PARENT))),
        done=Count("pk", filter=Q(status=S.COMPLETED)),
        branch_ok=Count("pk", filter=Q(status__in=(S.IN_PARENT, S.COMPLETED, S.RETURNED_IN_PARENT))),
        returned=Count("pk", filter=Q(status__in=refused)),
        total=Count("pk", filter=Q(status__in=(S.IN_BRANCH, S.IN_PARENT, S.COMPLETED) + refused)),
    ).order_by()
    return _sql(out), _sql(incoming)


def _review_bases(start, as_of):
    """The reviews each org owes this month: [(org column, sql, params)] of (org, due,
    timely)."""
    from services.awards.models import Award, AwardSource, AwardStatus
    from services.transfers.choices import REVIEW_STATES, StepKind
    from services.transfers.models import Transfer, TransferStep

    late = d.TIMELY
    awards = Award.objects.filter(source=AwardSource.MEMBER, created_at__lt=as_of).filter(
        Q(status=AwardStatus.PENDING) | Q(reviewed_at__gte=start)).values("reviewer_id").annotate(
        due=Count("pk"),
        timely=Count("pk", filter=Q(reviewed_at__lt=as_of, reviewed_at__lte=ExpressionWrapper(
            F("created_at") + late, output_field=DateTimeField())) & ~Q(status=AwardStatus.PENDING)),
    ).order_by()
    pending = Transfer.objects.filter(status__in=REVIEW_STATES, reviewer__isnull=False, stage_since__lt=as_of) \
        .values("reviewer_id").annotate(due=Count("pk"), timely=Value(0, output_field=IntegerField())).order_by()
    previous = TransferStep.objects.filter(transfer=OuterRef("transfer"), created_at__lte=OuterRef("created_at")) \
        .exclude(pk=OuterRef("pk")).order_by("-created_at", "-pk").values("created_at")[:1]
    steps = TransferStep.objects.filter(
        stage__gte=1, stage__lte=4, org__isnull=False, created_at__gte=start, created_at__lt=as_of,
        kind__in=(StepKind.APPROVED, StepKind.RETURNED, StepKind.AUTO_APPROVED),
    ).annotate(received=Subquery(previous)).values("org_id").annotate(
        due=Count("pk"),
        timely=Count("pk", filter=Q(kind__in=(StepKind.APPROVED, StepKind.RETURNED), created_at__lte=ExpressionWrapper(
            F("received") + late, output_field=DateTimeField()))),
    ).order_by()
    return [("branch_id", *_member_reviews(start, as_of)), ("reviewer_id", *_sql(awards)),
            ("reviewer_id", *_sql(pending)), ("org_id", *_sql(steps))]


def _base_sql(start, as_of):
    """SELECT of every org's own contribution: (id, path, depth, <FIGURES>)."""
    q = connection.ops.quote_name
    members_sql, members_params = _member_base()
    cadres_sql, cadres_params = _cadre_base()
    (out_sql, out_params), (in_sql, in_params) = _transfer_bases()
    reviews = _review_bases(start, as_of)
    reviews_sql = " UNION ALL ".join(f"SELECT r{i}.{col} AS org_id, r{i}.due AS due, r{i}.timely AS timely"
                                     f" FROM ({sql}) r{i}" for i, (col, sql, _) in enumerate(reviews))
    reviews_params = [p for _, _, params in reviews for p in params]
    branch = int(OrgType.BRANCH)
    sql = (
        f"SELECT o.id AS id, o.path AS path, o.depth AS depth, 1 AS orgs,"
        f" CASE WHEN o.org_type = {branch} THEN 1 ELSE 0 END AS branches,"
        f" CASE WHEN o.org_type <> {branch} AND o.numchild = 0 THEN 1 ELSE 0 END AS empty_committees,"
        f" CASE WHEN o.org_type = {branch} AND COALESCE(m.good, 0) < {d.MIN_BRANCH_MEMBERS} THEN 1 ELSE 0 END"
        f"   AS empty_branches,"
        f" CASE WHEN o.org_type = {branch} AND COALESCE(c.n, 0) = 0 THEN 1 ELSE 0 END AS cadreless_branches,"
        f" COALESCE(m.registered, 0) AS members_registered, COALESCE(m.good, 0) AS members,"
        f" COALESCE(c.n, 0) AS cadres, COALESCE(c.joined, 0) AS cadres_joined,"
        f" COALESCE(tf.pending, 0) AS out_pending, COALESCE(tf.done, 0) AS out_done,"
        f" COALESCE(tt.pending, 0) AS in_pending, COALESCE(tt.done, 0) AS in_done,"
        f" COALESCE(tf.branch_ok, 0) AS out_branch_approved, COALESCE(tf.parent_ok, 0) AS out_parent_approved,"
        f" COALESCE(tf.returned, 0) AS out_returned, COALESCE(tf.total, 0) AS out_total,"
        f" COALESCE(tf.school, 0) AS out_school, COALESCE(tt.branch_ok, 0) AS in_branch_approved,"
        f" COALESCE(tt.returned, 0) AS in_returned, COALESCE(tt.total, 0) AS in_total,"
        f" COALESCE(rv.due, 0) AS respond_due, COALESCE(rv.timely, 0) AS respond_timely"
        f" FROM {q(Organization._meta.db_table)} o"
        f" LEFT JOIN ({members_sql}) m ON m.branch_id = o.id"
        f" LEFT JOIN ({cadres_sql}) c ON c.org_id = o.id"
        f" LEFT JOIN ({out_sql}) tf ON tf.from_branch_id = o.id"
        f" LEFT JOIN ({in_sql}) tt ON tt.to_branch_id = o.id"
        f" LEFT JOIN (SELECT u.org_id AS org_id, SUM(u.due) AS due, SUM(u.timely) AS timely FROM ("
        f"   {reviews_sql}) u GROUP BY u.org_id) rv ON rv.org_id = o.id"
    )
    return sql, [*members_params, *cadres_params, *out_params, *in_params, *reviews_params]


def _rollup_sql(base_sql):
    """SELECT (prefix, <FIGURES>, <OWN_FIGURES>) over every level: each base row once per ancestor."""
    depths = " UNION ALL ".join(f"SELECT {n} AS d" for n in range(1, tree_depth() + 1)) or "SELECT 1 AS d"
    width = Organization.steplen
    sums = ", ".join(f"SUM(b.{f}) AS {f}" for f in FIGURES)
    own = ", ".join(f"SUM(CASE WHEN b.depth = k.d THEN b.{f[:-4]} ELSE 0 END) AS {f}" for f in OWN_FIGURES)
    return (f"SELECT SUBSTR(b.path, 1, {width} * k.d) AS prefix, {sums}, {own}"
            f" FROM ({base_sql}) b JOIN ({depths}) k ON k.d <= b.depth"
            f" GROUP BY SUBSTR(b.path, 1, {width} * k.d)")


def _upsert_figures(month, start, as_of):
    """Compute into a temporary table, then update the month's rows whose figures changed and insert the
    missing ones (two set-based statements; an unchanged row is not rewritten)."""
    from services.dues.models import MonthStat
    from services.evaluation.models import RegistrationTally

    q = connection.ops.quote_name
    stat, orgs = q(OrgStat._meta.db_table), q(Organization._meta.db_table)
    base_sql, params = _base_sql(start, as_of)
    columns = FIGURES + OWN_FIGURES + COPIED
    values = ", ".join(f"a.{f} AS {f}" for f in FIGURES + OWN_FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE stat_figures AS SELECT o.id AS org_id, {values},"
            f" COALESCE(ms.billed, 0) AS dues_billed, COALESCE(ms.paid, 0) AS dues_paid,"
            f" COALESCE(rt.members, 0) AS registration_members, COALESCE(rt.registered, 0) AS registration_done"
            f" FROM ({_rollup_sql(base_sql)}) a JOIN {orgs} o ON o.path = a.prefix"
            f" LEFT JOIN {q(MonthStat._meta.db_table)} ms ON ms.org_id = o.id AND ms.month = %s"
            f" LEFT JOIN {q(RegistrationTally._meta.db_table)} rt ON rt.org_id = o.id AND rt.year = %s",
            [*params, month, month.year])
        try:
            cursor.execute(
                f"UPDATE {stat} SET computed_at = %s, " + ", ".join(f"{c} = f.{c}" for c in columns)
                + f" FROM stat_figures f WHERE {stat}.org_id = f.org_id AND {stat}.month = %s AND ("
                + " OR ".join(f"{stat}.{c} <> f.{c}" for c in columns) + ")", [as_of, month])
            written = max(cursor.rowcount, 0)
            cursor.execute(
                f"INSERT INTO {stat} (org_id, month, computed_at, {', '.join(columns)})"
                f" SELECT f.org_id, %s, %s, {', '.join('f.' + c for c in columns)} FROM stat_figures f"
                f" WHERE NOT EXISTS (SELECT 1 FROM {stat} s WHERE s.org_id = f.org_id AND s.month = %s)",
                [month, as_of, month])
            written += max(cursor.rowcount, 0)
        finally:
            cursor.execute("DROP TABLE stat_figures")
    return written


# --- 查看分类统计 -------------------------------------------------------------------------------------------

def _category_bases(as_of):
    """[(dimension, sql, params)] of (org_id, key, n): what each org itself contributes. The members are
    read once, grouped by branch × 学历 × 收入 (with the count of those who joined last year); the four member
    dimensions are sums over that cube (``stat_member_cube``, made by :func:`_rebuild_categories`)."""
    from services.cadres.models import CadrePost
    from services.members.models import Member

    def grouped(qs, org, key):
        return _sql(qs.annotate(g_org=F(org), g_key=key).values("g_org", "g_key").annotate(n=Count("pk"))
                    .values("g_org", "g_key", "n").order_by())

    orgs = connection.ops.quote_name(Organization._meta.db_table)
    cube = (f"SELECT c.branch_id AS g_org, {{key}} AS g_key, SUM(c.{{n}}) AS n FROM stat_member_cube c"
            f" JOIN {orgs} b ON b.id = c.branch_id GROUP BY c.branch_id, {{key}}")
    industry = "COALESCE(b.industry, 0) * 100"
    new_year = timezone.localdate(as_of).year - 1
    return _sql(Member.objects.filter(d.MEMBERS).values("branch_id", "highest_education", "income").annotate(
        n=Count("pk"), new=Count("pk", filter=Q(joined_league__year=new_year))).order_by()), [
        (Dimension.ORGS, *grouped(Organization.objects.all(), "pk", Coalesce("industry", 0) * 100 + F("org_type"))),
        (Dimension.MEMBERS, cube.format(key=industry, n="n"), []),
        (Dimension.NEW_MEMBERS, cube.format(key=industry, n="new") + " HAVING SUM(c.new) > 0", []),
        (Dimension.CADRES, *grouped(CadrePost.objects.all(), "org_id",
                                    Coalesce("org__industry", 0) * 100 + F("nature"))),
        (Dimension.EDUCATION, cube.format(key="c.highest_education", n="n"), []),
        (Dimension.INCOME, cube.format(key="c.income", n="n"), []),
    ]


def _rebuild_categories(month, as_of):
    """Replace the month's CategoryStat rows, deepest level first: a level's rows (in a temporary table)
    are its orgs' own contributions plus the level below's rows grouped by parent path, so every row is
    read once on its way up. Branches' own rows are not stored (three quarters of all rows): a branch's
    classification is read live from its few members (:func:`.selectors.category_counts`)."""
    q = connection.ops.quote_name
    table, orgs = q(CategoryStat._meta.db_table), q(Organization._meta.db_table)
    CategoryStat.objects.filter(month=month).delete()
    (cube_sql, cube_params), bases = _category_bases(as_of)
    own_sql = " UNION ALL ".join(f"SELECT g.g_org AS org_id, {int(dim)} AS dimension, g.g_key AS k, g.n AS n"
                                 f" FROM ({sql}) g" for dim, sql, _ in bases)
    own_params = [p for _, _, params in bases for p in params]
    width = Organization.steplen
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE stat_member_cube AS {cube_sql}", cube_params)
        cursor.execute(f"CREATE TEMPORARY TABLE stat_category_own AS SELECT o.path AS path, o.depth AS depth,"
                       f" u.dimension AS dimension, u.k AS k, u.n AS n FROM ({own_sql}) u"
                       f" JOIN {orgs} o ON o.id = u.org_id", own_params)
        cursor.execute("CREATE INDEX stat_category_own_depth ON stat_category_own (depth)")
        cursor.execute("CREATE TEMPORARY TABLE stat_category_level (path VARCHAR(255), dimension INTEGER,"
                       " k INTEGER, n INTEGER)")
        try:
            for depth in range(tree_depth(), 0, -1):
                # this level = own rows of its orgs + the level below, grouped by parent path
                cursor.execute(
                    f"CREATE TEMPORARY TABLE stat_category_next AS SELECT x.path AS path, x.dimension AS dimension,"
                    f" x.k AS k, SUM(x.n) AS n FROM ("
                    f"   SELECT path, dimension, k, n FROM stat_category_own WHERE depth = %s"
                    f"   UNION ALL SELECT SUBSTR(path, 1, {width * depth}), dimension, k, n FROM stat_category_level"
                    f" ) x GROUP BY x.path, x.dimension, x.k", [depth])
                cursor.execute("DROP TABLE stat_category_level")
                cursor.execute("ALTER TABLE stat_category_next RENAME TO stat_category_level")
                cursor.execute(
                    f"INSERT INTO {table} (org_id, month, dimension, {q('key')}, n)"
                    f" SELECT o.id, %s, c.dimension, c.k, c.n FROM stat_category_level c"
                    f" JOIN {orgs} o ON o.path = c.path WHERE o.org_type <> {int(OrgType.BRANCH)}", [month])
                written += max(cursor.rowcount, 0)
        finally:
            cursor.execute("DROP TABLE IF EXISTS stat_member_cube")
            cursor.execute("DROP TABLE IF EXISTS stat_category_own")
            cursor.execute("DROP TABLE IF EXISTS stat_category_level")
            cursor.execute("DROP TABLE IF EXISTS stat_category_next")
    return written
