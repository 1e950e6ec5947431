"""奖惩: awards (团内/团外, org-entered or member-declared) and punishments (DESIGN §5 Awards; reference §3.19,
§4.8–§4.9).

An org-entered 团内 award is certified at once; a member's declaration waits for its reviewer (the
branch for 团外, the chosen awarding org for a 团内 补录). A punishment is in force from its date until
its relieve date; 开除团籍 has no relieve date and goes through the 团籍 flow (its request is kept here).
"""

from django.db import models
from django.db.models import Q

from portal import uploads
from portal.constraints import FieldCheckConstraint


class AwardKind(models.IntegerChoices):  # reference §3.19 type
    INTERNAL = 1, "团内奖励"
    EXTERNAL = 2, "团外奖励"


class AwardStatus(models.IntegerChoices):  # reference §3.19 status
    PENDING = 0, "待审核"
    APPROVED = 1, "同意"
    RETURNED = 2, "退回"


class AwardSource(models.IntegerChoices):
    ORG = 1, "组织录入"
    MEMBER = 2, "团员申报"


class Award(models.Model):
    member = models.ForeignKey("members.Member", verbose_name="团员", on_delete=models.CASCADE, related_name="awards")
    kind = models.PositiveSmallIntegerField("奖励类型", choices=AwardKind.choices)
    source = models.PositiveSmallIntegerField("录入方式", choices=AwardSource.choices)
    name = models.CharField("奖励名称", max_length=99)
    has_level = models.BooleanField("奖励有等次", default=False)
    level = models.CharField("奖励等次", max_length=99, blank=True)
    awarded_on = models.DateField("获奖时间")
    awarding_org_name = models.CharField("授奖组织", max_length=99)
    # who reviews (or, for an org-entered award, who entered and certified it)
    reviewer = models.ForeignKey("orgtree.Organization", verbose_name="审核组织", on_delete=models.PROTECT,
                                 related_name="+")
    entered_by = models.CharField("录入者", max_length=200)
    status = models.PositiveSmallIntegerField("审核状态", choices=AwardStatus.choices, default=AwardStatus.PENDING)
    return_reason = models.CharField("退回原因", max_length=249, blank=True)
    reviewed_by = models.CharField("审核人", max_length=200, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "奖励"
        verbose_name_plural = "奖励"
        constraints = [
            FieldCheckConstraint(name="award_kind_valid", condition=Q(kind__in=[1, 2]), field="kind",
                                 violation_error_code="invalid_choice", violation_error_message="请选择奖励类型"),
            FieldCheckConstraint(name="award_status_valid", condition=Q(status__in=[0, 1, 2]), field="status",
                                 violation_error_code="invalid_choice", violation_error_message="审核状态不正确"),
            FieldCheckConstraint(name="award_level_given", condition=Q(has_level=False, level="") | (
                Q(has_level=True) & ~Q(level="")), field="level", violation_error_code="required",
                violation_error_message="奖励有等次的，请填写奖励等次；无等次的不填"),
            # 组织录入 is 团内 and certified on entry (reference §4.8)
            FieldCheckConstraint(name="award_org_entered_certified",
                                 condition=~Q(source=1) | Q(kind=1, status=1), field="kind",
                                 violation_error_code="org_entered",
                                 violation_error_message="组织录入的奖励须为团内奖励，并默认审核通过"),
            FieldCheckConstraint(name="award_returned_has_reason", condition=~Q(status=2) | ~Q(return_reason=""),
                                 field="return_reason", violation_error_code="required",
                                 violation_error_message="请输入退回原因"),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status", "-id"], name="award_review"),
            models.Index(fields=["member", "-awarded_on"], name="award_member"),
            models.Index(fields=["reviewer", "source", "-id"], name="award_entered"),
        ]

    def __str__(self):
        return f"{self.name}（{self.member.name}）"

    @property
    def level_label(self):
        return self.level if self.has_level else "无等次"

    @property
    def certified(self):
        """已认证: an approved 团内 award (a 团外 award is recorded, never certified)."""
        return self.kind == AwardKind.INTERNAL and self.status == AwardStatus.APPROVED


def _award_file_path(instance, filename):
    return uploads.random_name("awards/awards", instance.file)


class AwardAttachment(models.Model):
    award = models.ForeignKey(Award, verbose_name="奖励", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("获奖证明", upload_to=_award_file_path, storage=uploads.private_storage, max_length=200)
    name = models.CharField("文件名", max_length=200)

    class Meta:
        verbose_name = "获奖证明"
        verbose_name_plural = "获奖证明"


class PunishmentKind(models.IntegerChoices):  # DESIGN §5 Awards
    WARNING = 1, "警告"
    SERIOUS_WARNING = 2, "严重警告"
    POST_REVOKED = 3, "撤销团内职务"
    PROBATION = 4, "留团察看"
    EXPULSION = 5, "开除团籍"


class Punishment(models.Model):
    member = models.ForeignKey("members.Member", verbose_name="团员", on_delete=models.CASCADE,
                               related_name="punishments")
    kind = models.PositiveSmallIntegerField("处罚名称", choices=PunishmentKind.choices)
    description = models.CharField("处罚说明", max_length=249, blank=True)
    punished_on = models.DateField("处罚时间")
    relieve_on = models.DateField("解除时间", null=True, blank=True)
    org = models.ForeignKey("orgtree.Organization", verbose_name="录入组织", on_delete=models.PROTECT,
                            related_name="+")
    entered_by = models.CharField("录入者", max_length=200)
    # 开除团籍: the 团籍 application it handed over to (services.members.status)
    status_request = models.ForeignKey("members.MemberRequest", verbose_name="开除团籍申请", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "处罚"
        verbose_name_plural = "处罚"
        constraints = [
            FieldCheckConstraint(name="punishment_kind_valid", condition=Q(kind__gte=1, kind__lte=5), field="kind",
                                 violation_error_code="invalid_choice", violation_error_message="请选择处罚名称"),
            FieldCheckConstraint(
                name="punishment_relieve_after", field="relieve_on", violation_error_code="relieve_on",
                violation_error_message="解除时间须晚于处罚时间（开除团籍不填解除时间）",
                condition=Q(kind=5, relieve_on__isnull=True)
                | (~Q(kind=5) & Q(relieve_on__isnull=False, relieve_on__gt=models.F("punished_on")))),
        ]
        indexes = [
            models.Index(fields=["member", "-punished_on"], name="punishment_member"),
            models.Index(fields=["org", "-id"], name="punishment_org"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.member.name}）"

    def in_force_on(self, day):
        return self.punished_on <= day and (self.relieve_on is None or day < self.relieve_on)


def _punishment_file_path(instance, filename):
    return uploads.random_name("awards/punishments", instance.file)


class PunishmentAttachment(models.Model):
    punishment = models.ForeignKey(Punishment, verbose_name="处罚", on_delete=models.CASCADE,
                                   related_name="attachments")
    file = models.FileField("处罚证明", upload_to=_punishment_file_path, storage=uploads.private_storage,
                            max_length=200)
    name = models.CharField("文件名", max_length=200)

    class Meta:
        verbose_name = "处罚证明"
        verbose_name_plural = "处罚证明"
