"""教育评议 and 年度注册 (DESIGN §5 Evaluation & registration; manual 团员教育评议, 团员年度注册).

A branch grades its members once a year (Party members are not graded); when it submits the year,
grades lock and every member in good standing — Party members and cadres who keep membership too —
gets an :class:`AnnualRegistration` row to confirm on ``/m/``. 不合格 → 暂缓注册 until the branch's
re-evaluation passes. :class:`RegistrationTally` keeps each org's counts per year (the branch and every
ancestor), so the progress page reads a handful of rows, never a ``COUNT(*)`` over a province.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portal import uploads
from portal.jobs import BackgroundJob

from portal.constraints import FieldCheckConstraint


class Grade(models.IntegerChoices):
    EXCELLENT = 1, "优秀"
    QUALIFIED = 2, "合格"
    BASIC = 3, "基本合格"
    UNQUALIFIED = 4, "不合格"


class Evaluation(models.Model):
    """One branch's 教育评议 of one year."""

    branch = models.ForeignKey("orgtree.Organization", verbose_name="团支部", on_delete=models.CASCADE,
                               related_name="evaluations")
    year = models.PositiveSmallIntegerField("评议年度")
    entered_by = models.CharField("录入人", max_length=200)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间（开启年度注册）", null=True, blank=True)

    class Meta:
        verbose_name = "教育评议"
        verbose_name_plural = "教育评议"
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="evaluation_once_per_year",
                                               violation_error_code="unique",
                                               violation_error_message="本团支部已有该年度的教育评议")]

    def __str__(self):
        return f"{self.branch.short_name} {self.year}年度教育评议"

    @property
    def locked(self):
        return self.submitted_at is not None


class EvaluationGrade(models.Model):
    evaluation = models.ForeignKey(Evaluation, verbose_name="教育评议", on_delete=models.CASCADE, related_name="grades")
    member = models.ForeignKey("members.Member", verbose_name="团员", on_delete=models.CASCADE,
                               related_name="evaluation_grades")
    grade = models.PositiveSmallIntegerField("评议结果", choices=Grade.choices)
    reassessed_at = models.DateTimeField("再次评议时间", null=True, blank=True)

    class Meta:
        verbose_name = "评议结果"
        verbose_name_plural = "评议结果"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "member"], name="evaluation_grade_once",
                                    violation_error_code="unique", violation_error_message="该团员已有本年度评议结果"),
            FieldCheckConstraint(name="evaluation_grade_valid", condition=Q(grade__gte=1, grade__lte=4), field="grade",
                                 violation_error_code="invalid_choice", violation_error_message="请选择评议结果"),
        ]
        indexes = [models.Index(fields=["member"], name="evaluation_grade_member")]


class RegistrationStatus(models.IntegerChoices):
    UNREGISTERED = 0, "未注册"
    REGISTERED = 1, "已注册"
    DEFERRED = 2, "暂缓注册"


class AnnualRegistration(models.Model):
    """A member's 年度注册 of one year, made when their branch submits that year's evaluation."""

    member = models.ForeignKey("members.Member", verbose_name="团员", on_delete=models.CASCADE,
                               related_name="annual_registrations")
    year = models.PositiveSmallIntegerField("注册年度")
    branch = models.ForeignKey("orgtree.Organization", verbose_name="所在团支部", on_delete=models.CASCADE,
                               related_name="+")
    evaluation = models.ForeignKey(Evaluation, verbose_name="教育评议", on_delete=models.CASCADE,
                                   related_name="registrations")
    grade = models.PositiveSmallIntegerField("评议结果", choices=Grade.choices, null=True, blank=True,
                                             help_text="党员不参加评议，为空")
    status = models.PositiveSmallIntegerField("注册状态", choices=RegistrationStatus.choices,
                                              default=RegistrationStatus.UNREGISTERED)
    prompted_at = models.DateTimeField("提醒时间", null=True, blank=True)
    registered_at = models.DateTimeField("注册时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度注册"
        verbose_name_plural = "年度注册"
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="annual_registration_once",
                                    violation_error_code="unique", violation_error_message="该团员本年度已有注册记录"),
            FieldCheckConstraint(name="annual_registration_status_valid", condition=Q(status__in=[0, 1, 2]),
                                 field="status", violation_error_code="invalid_choice",
                                 violation_error_message="注册状态不正确"),
            # 不合格 cannot be registered; 暂缓注册 is only for 不合格 (DESIGN §5)
            FieldCheckConstraint(name="annual_registration_deferred_unqualified",
                                 condition=Q(status=2, grade=4) | Q(status__in=[0, 1], grade__isnull=True)
                                 | Q(status__in=[0, 1], grade__in=[1, 2, 3]),
                                 field="status", violation_error_code="deferred",
                                 violation_error_message="评议不合格的团员暂缓注册"),
            FieldCheckConstraint(name="annual_registration_registered_at", field="registered_at",
                                 condition=~Q(status=1) | Q(registered_at__isnull=False),
                                 violation_error_code="required", violation_error_message="已注册的须有注册时间"),
        ]
        indexes = [
            models.Index(fields=["branch", "year", "status"], name="annual_registration_branch"),
            models.Index(fields=["evaluation", "status"], name="annual_registration_eval"),
        ]

    def __str__(self):
        return f"{self.member.name} {self.year}年度注册"


class RegistrationTally(models.Model):
    """Counts of one org's subtree for one year, kept by the services (the branch and every ancestor)."""

    org = models.ForeignKey("orgtree.Organization", verbose_name="团组织", on_delete=models.CASCADE,
                            related_name="registration_tallies")
    year = models.PositiveSmallIntegerField("年度")
    branches = models.PositiveIntegerField("已提交评议的团支部数", default=0)
    members = models.PositiveIntegerField("应注册团员数", default=0)
    registered = models.PositiveIntegerField("已注册", default=0)
    deferred = models.PositiveIntegerField("暂缓注册", default=0)

    class Meta:
        verbose_name = "年度注册统计"
        verbose_name_plural = "年度注册统计"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="registration_tally_once",
                                               violation_error_code="unique",
                                               violation_error_message="该组织该年度已有统计")]

    @property
    def unregistered(self):
        return self.members - self.registered - self.deferred

    @property
    def percent(self):
        return round(100 * self.registered / self.members, 1) if self.members else 0


def _archive_zip_path(instance, filename):
    import uuid

    from django.utils import timezone

    return f"archives/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zip"


class ArchiveJob(BackgroundJob):
    """成长档案打包: one branch's archives of one year as a zip (a 成长档案 PDF per member and the branch's
    list), built by a django-q2 task (:mod:`.archive_jobs`). The zip is private (``portal.uploads``
    storage, no URL), handed out only to the requesting org and its ancestors. At most one job per branch
    and year is queued or running (a partial unique constraint, so two clicks cannot race)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "打包中"
        DONE = "done", "已完成"
        FAILED = "failed", "打包失败"

    org = models.ForeignKey("orgtree.Organization", verbose_name="申请组织", on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey("orgtree.Organization", verbose_name="团支部", on_delete=models.CASCADE,
                               related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作账号", null=True, on_delete=models.SET_NULL,
                             related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("团员数", default=0)
    processed = models.PositiveIntegerField("已生成", default=0)
    file = models.FileField("压缩包", upload_to=_archive_zip_path, storage=uploads.private_storage, max_length=200,
                            blank=True)
    size = models.PositiveBigIntegerField("文件大小", default=0)
    error = models.CharField("失败原因", max_length=200, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "成长档案打包"
        verbose_name_plural = "成长档案打包"
        constraints = [models.UniqueConstraint(
            fields=["branch", "year"], condition=Q(status__in=["queued", "running"]), name="archive_job_one_open",
            violation_error_message="该团支部本年度的成长档案正在打包", violation_error_code="running")]
        indexes = [
            models.Index(fields=["org", "-created_at"], name="archive_job_org_time"),
            models.Index(fields=["status"], name="archive_job_unfinished", condition=Q(status__in=["queued", "running"])),
        ]

    @property
    def filename(self):
        return f"成长档案-{self.branch.full_name}-{self.year}年度.zip"
