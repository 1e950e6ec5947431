"""The benchmarks `make bench` runs, in order, against one province (issue: province scale, DESIGN §7).

Each entry names a ``bench_<name>`` command, its arguments, and the figures of its JSON line that
the summary table compares: a figure against a baseline measured in the same run (a ratio with its
goal), or a figure against an absolute goal. A workflow that adds a benchmark adds its entry here.
"""

from dataclasses import dataclass, field

#: The province every bench runs against (DESIGN §7).
ORGS = 100_000
MEMBERS = 2_000_000
#: Pages: p95 at most this multiple of the trivial authenticated view's p95.
PAGE_GOAL = 2.0
#: Bulk jobs: at most this multiple of the raw SQL doing the same rows.
JOB_GOAL = 1.5
#: Every process serving pages or running jobs stays under this resident set size.
RSS_GOAL_MB = 300


@dataclass(frozen=True)
class Figure:
    label: str
    key: str  # the figure in the bench's JSON line
    baseline: str | None  # the baseline's key, or None for an absolute goal
    goal: float
    unit: str = ""

    def row(self, result):
        value = result.get(self.key)
        base = result.get(self.baseline) if self.baseline else None
        if value is None or (self.baseline and not base):
            return value, base, None, False
        ratio = round(value / base, 2) if self.baseline else None
        ok = (ratio if self.baseline else value) <= self.goal
        return value, base, ratio, ok


def pages(*names):
    """Figures ``<name>_p95_ms`` against ``trivial_p95_ms``, goal ≤ 2×."""
    return [Figure(label, f"{key}_p95_ms", "trivial_p95_ms", PAGE_GOAL) for label, key in names]


@dataclass(frozen=True)
class Bench:
    command: str
    args: tuple = ()
    figures: list = field(default_factory=list)
    #: Seconds the bench may take on this machine before the runner gives up on it.
    timeout: int = 3600


BENCHES = [
    Bench("seed_scale", ("--orgs", str(ORGS), "--members", str(MEMBERS)), [
        Figure("载入团员 COPY（对比原始 INSERT … SELECT）", "load_s", "raw_load_s", JOB_GOAL, "s"),
    ]),
    Bench("bench_orgtree", ("--orgs", str(ORGS)), pages(("组织树 下级", "children"), ("组织树 搜索", "search"))),
    Bench("bench_members", (), [
        Figure("满28 夜间任务（对比原始 UPDATE）", "age_out_s", "age_out_raw_s", JOB_GOAL, "s"),
        *pages(("我的团员 团省委 第1页", "root_page1"), ("我的团员 团省委 第100页", "root_page100"),
               ("我的团员 团支部 第1页", "branch_page1"), ("我的团员 团支部 第100页", "branch_page100")),
    ]),
    Bench("bench_pages", (), pages(("团员详情", "member_detail"), ("我的消息（1万条）", "messages"),
                                   ("操作日志（100万条）", "audit_log"), ("管理首页 待办", "manage_home"))),
    Bench("bench_cadre_import", ("--rows", "10000"), [
        Figure("团干批量导入 1万行", "import_s", None, 30, "s"),
        *pages(("通讯录搜索 1/2/3+字", "directory"), ("通讯录搜索 2字词", "directory_2char")),
    ]),
    Bench("bench_feed", ("--orgs", str(ORGS)), pages(("团员首页文章流", "feed"))),
    Bench("bench_transfers", ("--transfers", "100000"), [
        Figure("转接 每小时自动通过（对比原始 SQL）", "sweep_s", "raw_sql_s", JOB_GOAL, "s"),
        *pages(("转接记录 上级 5000条", "list")),
    ]),
    Bench("bench_dues", ("--orgs", str(ORGS), "--members", str(MEMBERS)), [
        Figure("团费 月度账单（对比原始 INSERT … SELECT）", "billing_s", "billing_raw_s", JOB_GOAL, "s"),
        Figure("团费留存 团省委（对比原始 SQL）", "retention_view_ms", "retention_raw_ms", JOB_GOAL, "ms"),
        *pages(("团员 团费页", "member_page"), ("团费查询 团省委", "root_query")),
    ]),
    Bench("bench_evaluation", ("--orgs", str(ORGS), "--members", str(MEMBERS)), [
        Figure("教育评议 50人批量录入", "entry_p95_ms", "trivial_p95_ms", 5.0),
        *pages(("年度注册进度 团省委", "progress")),
    ]),
    Bench("bench_stats", (), [
        Figure("数据统计 全量刷新（对比原始 SQL）", "refresh_s", "raw_s", JOB_GOAL, "s"),
        Figure("数据统计 1000处变更后的15分钟增量", "delta_s", None, 10, "s"),
        Figure("数据统计 页面", "page_p95_ms", "trivial_p95_ms", PAGE_GOAL),
        Figure("成长档案 PDF 生成", "pdf_s", None, 1, "s"),
    ]),
    Bench("bench_broadcast", ("--recipients", "200000"), [
        Figure("群发 20万人（对比原始 INSERT … SELECT）", "fan_out_s", "baseline_s", JOB_GOAL, "s"),
    ]),
]
