"""数据统计's tables (DESIGN §5 Statistics, reference §5.1–5.3): one row per org and month whose figures
cover the org and its whole subtree (本级及所有下级), and the classification counts behind 查看分类统计.

The rows are written only by :mod:`.refresh` (set-based, a few statements for the whole province) and
read by :mod:`.selectors`; a month's row holds the figures as of ``computed_at`` — the current month is
refreshed every 15 minutes, an earlier month keeps what it showed when the month ended.
"""

from django.conf import settings
from django.db import models

from portal.jobs import BackgroundJob
from portal.uploads import private_storage


class OrgStat(models.Model):
    org = models.ForeignKey("orgtree.Organization", verbose_name="团组织", on_delete=models.CASCADE,
                            related_name="stats")
    month = models.DateField("统计月份", help_text="当月1日")
    computed_at = models.DateTimeField("数据更新时间")
    # 团务数据统计 (reference §5.1)
    orgs = models.PositiveIntegerField("已建立组织总数", default=0)
    branches = models.PositiveIntegerField("已建立支部数", default=0)
    empty_committees = models.PositiveIntegerField("空心团委数", default=0)
    empty_branches = models.PositiveIntegerField("空心团支部数", default=0)
    cadreless_branches = models.PositiveIntegerField("无团干团支部数", default=0)
    members_registered = models.PositiveIntegerField("已报到团员数", default=0)
    members = models.PositiveIntegerField("团员数", default=0, help_text="审核通过、团籍正常的团员")
    cadres = models.PositiveIntegerField("已录入团干数", default=0)
    cadres_joined = models.PositiveIntegerField("已入驻企业号团干数", default=0)
    # 组织关系转接统计 (§5.1) and 组织关系转接数据统计 (§5.3), cumulative up to the time of the figures
    out_pending = models.PositiveIntegerField("转出中团员数", default=0)
    out_done = models.PositiveIntegerField("已转出团员数", default=0)
    in_pending = models.PositiveIntegerField("待确认接收团员数", default=0)
    in_done = models.PositiveIntegerField("已接收团员数", default=0)
    out_branch_approved = models.PositiveIntegerField("转出支部审核通过人数", default=0)
    out_parent_approved = models.PositiveIntegerField("转出支部上级审核通过人数", default=0)
    out_returned = models.PositiveIntegerField("转出被接收方拒收（退回）人数", default=0)
    out_total = models.PositiveIntegerField("已发起转出申请总人数", default=0)
    out_school = models.PositiveIntegerField("已发起校内转接申请总团员数", default=0)
    in_branch_approved = models.PositiveIntegerField("转入支部审核通过人数", default=0)
    in_returned = models.PositiveIntegerField("转入被接收方拒收（退回）人数", default=0)
    in_total = models.PositiveIntegerField("申请转入总人数（转出方已审核通过）", default=0)
    # 团费 (the month's bills) and 年度注册 (the month's year)
    dues_billed = models.PositiveIntegerField("应交团费人数", default=0)
    dues_paid = models.PositiveIntegerField("已交团费人数", default=0)
    registration_members = models.PositiveIntegerField("应注册团员数", default=0)
    registration_done = models.PositiveIntegerField("已注册团员数", default=0)
    # 月度业务响应统计: 本级 (this org as reviewer) and 本级及下级
    respond_due_own = models.PositiveIntegerField("本级累计需响应申请数", default=0)
    respond_timely_own = models.PositiveIntegerField("本级及时响应数", default=0)
    respond_due = models.PositiveIntegerField("累计需响应申请数", default=0)
    respond_timely = models.PositiveIntegerField("及时响应数", default=0)

    class Meta:
        verbose_name = "组织数据统计"
        verbose_name_plural = "组织数据统计"
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="org_stat_once",
                                               violation_error_code="duplicate",
                                               violation_error_message="该组织该月的统计数据已存在")]
        indexes = [models.Index(fields=["month", "org"], name="org_stat_month")]

    @property
    def dues_unpaid(self):
        return self.dues_billed - self.dues_paid

    @property
    def respond_rate_own(self):
        return _percent(self.respond_timely_own, self.respond_due_own)

    @property
    def respond_rate(self):
        return _percent(self.respond_timely, self.respond_due)


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


class Dimension(models.IntegerChoices):
    """What a :class:`CategoryStat` row counts. ``key`` encodes industry × the other value as
    ``industry * 100 + value`` (industry 0 = 未填写)."""

    ORGS = 1, "团组织（行业类别×组织类型）"
    MEMBERS = 2, "团员（行业类别）"
    NEW_MEMBERS = 3, "上年新发展团员（行业类别）"
    CADRES = 4, "团干部（行业类别×团干部性质）"
    EDUCATION = 5, "团员学历"
    INCOME = 6, "团员收入档次"


class CategoryStat(models.Model):
    """One non-zero count of one org's subtree for 查看分类统计 (reference §5.2)."""

    org = models.ForeignKey("orgtree.Organization", verbose_name="团组织", on_delete=models.CASCADE,
                            related_name="+")
    month = models.DateField("统计月份")
    dimension = models.PositiveSmallIntegerField("统计项", choices=Dimension.choices)
    key = models.PositiveIntegerField("分类")
    n = models.PositiveIntegerField("数量")

    class Meta:
        verbose_name = "分类统计"
        verbose_name_plural = "分类统计"
        constraints = [models.UniqueConstraint(fields=["org", "month", "dimension", "key"],
                                               name="category_stat_once", violation_error_code="duplicate",
                                               violation_error_message="该组织该月的分类统计已存在")]


class RefreshRun(models.Model):
    """One refresh: its kind, as-of time, duration and row counts (the page's 数据更新时间 reads the last)."""

    class Kind(models.TextChoices):
        FULL = "full", "每日全量"
        DELTA = "delta", "15分钟增量"

    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    as_of = models.DateTimeField("基准时间")
    month = models.DateField("统计月份")
    seconds = models.FloatField("耗时（秒）", default=0)
    rows_written = models.PositiveIntegerField("写入行数", default=0)
    finished_at = models.DateTimeField("完成时间", auto_now_add=True)

    class Meta:
        verbose_name = "统计刷新记录"
        verbose_name_plural = "统计刷新记录"
        indexes = [models.Index(fields=["month", "-as_of"], name="refresh_run_month")]


class StatExport(BackgroundJob):
    """A 数据统计 download too big to stream in the request (over ``exports.BACKGROUND_ROWS`` rows): the
    list's parameters, its progress, and the finished .xlsx in private storage, served only to ``org``."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "生成失败"

    org = models.ForeignKey("orgtree.Organization", verbose_name="申请组织", on_delete=models.CASCADE,
                            related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作账号", null=True,
                             on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField("列表", max_length=20)
    params = models.JSONField("查询条件", default=dict)
    key = models.CharField("查询标识", max_length=200, help_text="同一组织同一查询同时只生成一份")
    title = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("总行数", default=0)
    processed = models.PositiveIntegerField("已写入行数", default=0)
    file = models.FileField("文件", upload_to="stat_exports/", storage=private_storage, max_length=200, blank=True)
    error = models.CharField("失败原因", max_length=200, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "数据统计导出"
        verbose_name_plural = "数据统计导出"
        indexes = [
            models.Index(fields=["org", "-created_at"], name="stat_export_org_time"),
            models.Index(fields=["status"], name="stat_export_unfinished",
                         condition=models.Q(status__in=["queued", "running"])),
        ]
        constraints = [models.UniqueConstraint(fields=["org", "key"], condition=models.Q(status__in=["queued", "running"]),
                                               name="stat_export_once_at_a_time", violation_error_code="running",
                                               violation_error_message="该列表正在后台导出，请等待完成后再试")]

    def __str__(self):
        return self.title
