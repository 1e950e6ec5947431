from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from .constraints import FieldCheckConstraint


class User(AbstractUser):
    """One login system for every end (DESIGN §4). What the login acts as is its actor."""

    class Kind(models.TextChoices):
        ORG = "org", "组织账号"
        OPERATOR = "operator", "运营者"
        CADRE = "cadre", "团干"
        MEMBER = "member", "团员"
        STAFF = "staff", "系统管理员"

    kind = models.CharField("账号类型", max_length=16, choices=Kind.choices, default=Kind.STAFF)
    organization = models.ForeignKey(
        "orgtree.Organization", verbose_name="所属组织", null=True, blank=True,
        on_delete=models.PROTECT, related_name="accounts",
    )
    phone = models.CharField("手机号码", max_length=11, null=True, blank=True, unique=True)
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        constraints = [
            # An org has exactly one org account.
            models.UniqueConstraint(
                fields=["organization"], condition=Q(kind="org"), name="user_one_account_per_org",
                violation_error_code="unique", violation_error_message="该团组织已有组织账号，每个团组织只有一个组织账号",
            ),
            FieldCheckConstraint(
                name="user_org_account_has_org",
                condition=~Q(kind__in=["org", "operator"]) | Q(organization__isnull=False),
                field="organization", violation_error_code="required",
                violation_error_message="组织账号和运营者账号须属于一个团组织",
            ),
        ]


class AuditLog(models.Model):
    """One row per write by an org account or operator (DESIGN §4)."""

    created_at = models.DateTimeField("操作时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, verbose_name="账号", null=True, on_delete=models.SET_NULL, related_name="+")
    actor_kind = models.CharField("身份", max_length=16)
    actor_label = models.CharField("操作者", max_length=200)
    organization = models.ForeignKey(
        "orgtree.Organization", verbose_name="所代表组织", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField("操作项目", max_length=64)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    ip = models.GenericIPAddressField("请求IP", null=True, blank=True)

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        indexes = [
            # The log's order, id included: a page deep in the log is an index scan, not a sort.
            models.Index(fields=["organization", "-created_at", "-id"], name="audit_org_time_id"),
            models.Index(fields=["organization", "action", "-created_at", "-id"], name="audit_org_action_time_id"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.actor_label} {self.action} {self.object_repr}"


class AuditTally(models.Model):
    """How many entries an org's 操作日志 holds, kept by ``audit_record`` in the entry's transaction: the
    unfiltered list reads it instead of counting up to a million rows per view (DESIGN §7)."""

    organization = models.OneToOneField("orgtree.Organization", verbose_name="所代表组织", primary_key=True,
                                        on_delete=models.CASCADE, related_name="+")
    entries = models.PositiveBigIntegerField("日志条数", default=0)

    class Meta:
        verbose_name = "操作日志条数"
        verbose_name_plural = "操作日志条数"


class WeChatIdentity(models.Model):
    """A WeChat identity tied to a login: a member's official-account openid or a cadre's WeChat Work userid."""

    class Kind(models.TextChoices):
        MP = "mp", "公众号"
        WORK = "work", "企业号"

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="wechat_identities")
    kind = models.CharField("渠道", max_length=8, choices=Kind.choices)
    external_id = models.CharField("openid / userid", max_length=128)
    created_at = models.DateTimeField("绑定时间", auto_now_add=True)

    class Meta:
        verbose_name = "微信身份"
        verbose_name_plural = "微信身份"
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="wechat_identity_unique_id",
                                    violation_error_code="unique",
                                    violation_error_message="该微信身份已绑定其他账号"),
            models.UniqueConstraint(fields=["user", "kind"], name="wechat_identity_one_per_kind",
                                    violation_error_code="unique",
                                    violation_error_message="该账号已绑定一个同类的微信身份"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.external_id}"
