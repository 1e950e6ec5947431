"""组织关系转接: the transfer record, its append-only step log, appeals and their evidence (DESIGN §5).

A transfer names the four orgs of its stages when it starts (the branches and their direct parents), and
``reviewer`` is the org whose turn it is (NULL once closed), so a to-do count or a 待审核 list is one
index range. ``due_at`` is the moment the timer of stage ③ / ④ auto-approves. Invariants live in the
database: one open transfer per member, one appeal per transfer, one pending appeal per member.
"""

from django.db import models
from django.db.models import Q

from portal import uploads
from portal.constraints import FieldCheckConstraint

from .choices import (
    OPEN_STATES,
    Applicant,
    AppealStatus,
    StepKind,
    TransferReason,
    TransferStatus,
    TransferType,
)

_OPEN = [int(s) for s in OPEN_STATES]


def out_of_province_label(province, org):
    """The 转入团支部 of a transfer out of the province: the province and org the member named."""
    return f"{province} {org}（省外或非团省委所辖）"


class SweepRun(models.Model):
    """One run of the hourly auto-approval: its as-of time and counts (the rows it changed point here)."""

    as_of = models.DateTimeField("基准时间")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    in_branch = models.PositiveIntegerField("转入团支部自动通过", default=0)
    in_parent = models.PositiveIntegerField("转入团支部的上级自动通过", default=0)
    completed = models.PositiveIntegerField("接转成功", default=0)
    seconds = models.FloatField("耗时(秒)", default=0)

    class Meta:
        verbose_name = "转接自动审核记录"
        verbose_name_plural = "转接自动审核记录"


class Transfer(models.Model):
    member = models.ForeignKey("members.Member", verbose_name="团员", on_delete=models.PROTECT,
                               related_name="transfers")
    transfer_type = models.PositiveSmallIntegerField("转接类型", choices=TransferType.choices,
                                                     default=TransferType.IN_PROVINCE)
    applicant = models.PositiveSmallIntegerField("发起人", choices=Applicant.choices)
    status = models.PositiveSmallIntegerField("状态", choices=TransferStatus.choices)
    from_branch = models.ForeignKey("orgtree.Organization", verbose_name="转出团支部", on_delete=models.PROTECT,
                                    related_name="+")
    from_parent = models.ForeignKey("orgtree.Organization", verbose_name="转出团支部的上级",
                                    on_delete=models.PROTECT, related_name="+")
    to_branch = models.ForeignKey("orgtree.Organization", verbose_name="转入团支部", on_delete=models.PROTECT,
                                  related_name="+", null=True, blank=True)
    to_parent = models.ForeignKey("orgtree.Organization", verbose_name="转入团支部的上级",
                                  on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    # out of province: the member names the province and the receiving org (free text)
    out_province = models.CharField("转入省份", max_length=20, blank=True)
    out_org = models.CharField("转入团组织", max_length=99, blank=True)
    destination = models.CharField("学习/工作去向", max_length=99)
    reason = models.PositiveSmallIntegerField("转出原因", choices=TransferReason.choices)
    reason_other = models.CharField("其他原因", max_length=249, blank=True)
    reviewer = models.ForeignKey("orgtree.Organization", verbose_name="当前审核组织", on_delete=models.PROTECT,
                                 related_name="+", null=True, blank=True, db_index=False)
    due_at = models.DateTimeField("自动审核通过时间", null=True, blank=True)
    sweep_run = models.ForeignKey(SweepRun, verbose_name="自动审核批次", on_delete=models.SET_NULL,
                                  related_name="+", null=True, blank=True, db_index=False)
    applied_by = models.CharField("申请人", max_length=200)
    applied_at = models.DateTimeField("申请时间")
    stage_since = models.DateTimeField("当前环节开始时间")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    withdraw_reason = models.CharField("撤回原因", max_length=249, blank=True)
    return_reason = models.CharField("退回原因", max_length=249, blank=True)

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=_OPEN), name="transfer_one_open",
                                    violation_error_code="unique",
                                    violation_error_message="该团员已有正在办理的组织关系转接，请等待办理结果"),
            FieldCheckConstraint(name="transfer_status_valid",
                                 condition=Q(status__in=[int(s) for s in TransferStatus]), field="status",
                                 violation_error_code="invalid_choice", violation_error_message="转接状态不正确"),
            FieldCheckConstraint(
                name="transfer_target_by_type",
                condition=Q(transfer_type=TransferType.IN_PROVINCE, to_branch__isnull=False, to_parent__isnull=False)
                | Q(transfer_type=TransferType.OUT_OF_PROVINCE, to_branch__isnull=True, to_parent__isnull=True)
                & ~Q(out_province="") & ~Q(out_org=""),
                field="to_branch", violation_error_code="target",
                violation_error_message="省内转接须选择转入团支部；转至省外须填写转入省份和转入团组织"),
            models.CheckConstraint(name="transfer_open_has_reviewer",
                                   condition=~Q(status__in=[1, 2, 3, 4]) | Q(reviewer__isnull=False),
                                   violation_error_code="reviewer", violation_error_message="待审核的转接须有审核组织"),
            FieldCheckConstraint(name="transfer_other_reason_text",
                                 condition=~Q(reason=TransferReason.OTHER) | ~Q(reason_other=""),
                                 field="reason_other", violation_error_code="required",
                                 violation_error_message="请填写其他原因"),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status", "-id"], name="transfer_review",
                         condition=Q(reviewer__isnull=False)),
            models.Index(fields=["due_at"], name="transfer_due", condition=Q(status__in=[3, 4])),
            models.Index(fields=["from_branch", "-id"], name="transfer_from_branch"),
            models.Index(fields=["to_branch", "-id"], name="transfer_to_branch"),
            models.Index(fields=["from_parent", "-id"], name="transfer_from_parent"),
            models.Index(fields=["to_parent", "-id"], name="transfer_to_parent"),
            models.Index(fields=["member", "-id"], name="transfer_member"),
            models.Index(fields=["sweep_run"], name="transfer_sweep_run", condition=Q(sweep_run__isnull=False)),
        ]

    def __str__(self):
        target = self.to_branch.full_name if self.to_branch_id else f"{self.out_province}{self.out_org}"
        return f"{self.member.name}：{self.from_branch.full_name} → {target}"

    @property
    def is_open(self):
        return self.status in OPEN_STATES

    @property
    def out_of_province(self):
        return self.transfer_type == TransferType.OUT_OF_PROVINCE

    @property
    def target_label(self):
        if self.out_of_province:
            return out_of_province_label(self.out_province, self.out_org)
        return self.to_branch.full_name

    @property
    def reason_label(self):
        return self.reason_other if self.reason == TransferReason.OTHER else self.get_reason_display()

    @property
    def collapsed(self):
        """Both branches have the same direct parent: it reviews once (at ②)."""
        return self.to_parent_id is not None and self.to_parent_id == self.from_parent_id


class TransferOrg(models.Model):
    """One org that sees a transfer in its 转接记录: every org on the path from the root to the outgoing
    branch (``outgoing``) or to the incoming branch (``incoming``), both when the paths share it.

    Stored so that an org's list is one range of this primary key, newest transfer first, however big
    the subtree (``services.transfers.ancestry`` writes the rows when a transfer starts and rewrites
    them for the transfers under an org that moves).
    """

    pk = models.CompositePrimaryKey("org", "transfer")
    org = models.ForeignKey("orgtree.Organization", verbose_name="组织", on_delete=models.CASCADE,
                            related_name="+", db_index=False)
    transfer = models.ForeignKey(Transfer, verbose_name="转接", on_delete=models.CASCADE, related_name="orgs")
    outgoing = models.BooleanField("转出方", default=False)
    incoming = models.BooleanField("转入方", default=False)

    class Meta:
        verbose_name = "转接所属组织"
        verbose_name_plural = "转接所属组织"
        constraints = [
            models.CheckConstraint(name="transfer_org_has_side", condition=Q(outgoing=True) | Q(incoming=True),
                                   violation_error_code="side",
                                   violation_error_message="转接所属组织须在转出方或转入方"),
        ]


class TransferStep(models.Model):
    """The append-only step log: nothing updates or deletes a row (services only insert)."""

    transfer = models.ForeignKey(Transfer, verbose_name="转接", on_delete=models.CASCADE, related_name="steps")
    stage = models.PositiveSmallIntegerField("环节", default=0, help_text="1–4 为四个审核环节，0 为申请、确认、撤回、申诉")
    kind = models.PositiveSmallIntegerField("事项", choices=StepKind.choices)
    org = models.ForeignKey("orgtree.Organization", verbose_name="组织", on_delete=models.PROTECT, related_name="+",
                            null=True, blank=True, db_index=False)
    actor_label = models.CharField("操作人", max_length=200)
    reason = models.CharField("理由", max_length=249, blank=True)
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "转接流转记录"
        verbose_name_plural = "转接流转记录"
        ordering = ["created_at", "id"]


class Appeal(models.Model):
    transfer = models.OneToOneField(Transfer, verbose_name="转接", on_delete=models.PROTECT, related_name="appeal")
    member = models.ForeignKey("members.Member", verbose_name="团员", on_delete=models.PROTECT,
                               related_name="transfer_appeals")
    reviewer = models.ForeignKey("orgtree.Organization", verbose_name="审核组织", on_delete=models.PROTECT,
                                 related_name="+", db_index=False)
    reason = models.TextField("申诉理由")
    status = models.PositiveSmallIntegerField("申诉状态", choices=AppealStatus.choices, default=AppealStatus.PENDING)
    result_reason = models.CharField("拒绝理由", max_length=249, blank=True)
    decided_by = models.CharField("审核人", max_length=200, blank=True)
    submitted_at = models.DateTimeField("申诉提交时间")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "转接申诉"
        verbose_name_plural = "转接申诉"
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status=0), name="appeal_one_pending",
                                    violation_error_code="unique",
                                    violation_error_message="您已有待审核的转接申诉，请等待审核结果"),
            FieldCheckConstraint(name="appeal_status_valid", condition=Q(status__in=[0, 1, 2]), field="status",
                                 violation_error_code="invalid_choice", violation_error_message="申诉状态不正确"),
        ]
        indexes = [models.Index(fields=["reviewer", "status", "-id"], name="appeal_review")]

    def __str__(self):
        return f"{self.member.name}的转接申诉"


def _appeal_file_path(instance, filename):
    return uploads.random_name("transfers/appeals", instance.file)


class AppealAttachment(models.Model):
    appeal = models.ForeignKey(Appeal, verbose_name="申诉", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("证明材料", upload_to=_appeal_file_path, storage=uploads.private_storage, max_length=200)
    name = models.CharField("文件名", max_length=200)

    class Meta:
        verbose_name = "申诉证明材料"
        verbose_name_plural = "申诉证明材料"
