"""团员: the member record, the requests a branch sends its parent, and the nightly 满28 runs.

Invariants live in the database (DESIGN §3): one live record per ID number and per 团员编号, the
statuses within their enumerations, cadre data present exactly when the member says they are a
cadre, and at most one open request per member. Every list filter has an index (DESIGN §7).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from portal import uploads
from portal.constraints import FieldCheckConstraint
from portal.idcard import IdType, Sex, mask
from portal.people import NATION_CHOICES

from .choices import (
    APPROVED_STATES,
    BranchPost,
    CadreNature,
    DeletionReason,
    DeletionState,
    Education,
    Income,
    LeagueStatus,
    MemberPolitical,
    Occupation,
    RealNameStatus,
    RegistrationStatus,
    RequestKind,
    RequestState,
)

MEMBER_NUMBER_FROM = date(2017, 1, 1)  # joined from 2017: 团员编号 required (DESIGN §5)

#: A record that still holds its ID number and 团员编号 (a withdrawn or deleted one does not).
LIVE = Q(deleted_at__isnull=True) & ~Q(registration_status=RegistrationStatus.WITHDRAWN)

#: An approved, 正常 member who is still ours: not deleted and not transferred out of the province
#: (DESIGN §5 Transfers: afterwards the record is read-only here). Monthly dues bills, the 满28 job and
#: the start of a transfer all read this one predicate.
IN_GOOD_STANDING = Q(league_status=LeagueStatus.NORMAL, registration_status__in=APPROVED_STATES,
                     deleted_at__isnull=True, transferred_out_at__isnull=True)


class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="微信登录", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="member")
    branch = models.ForeignKey("orgtree.Organization", verbose_name="所在团支部", on_delete=models.PROTECT,
                               related_name="members")
    # identity (locked after approval)
    name = models.CharField("姓名", max_length=99)
    id_type = models.PositiveSmallIntegerField("证件类型", choices=IdType.choices, default=IdType.RESIDENT)
    id_number = models.CharField("身份证号码", max_length=30)
    sex = models.PositiveSmallIntegerField("性别", choices=Sex.choices, null=True, blank=True)
    birth_date = models.DateField("出生日期")
    joined_league = models.DateField("入团年月", help_text="取当月1日")
    # reviewed group: a change waits for the branch (reference §4.2)
    income = models.PositiveSmallIntegerField("收入", choices=Income.choices)
    political_status = models.PositiveSmallIntegerField("政治面貌", choices=MemberPolitical.choices)
    is_cadre = models.BooleanField("是否在本支部担任团干职务", default=False)
    cadre_post = models.PositiveSmallIntegerField("本支部团干职务", choices=BranchPost.choices, null=True, blank=True)
    cadre_post_name = models.CharField("职务名称", max_length=99, blank=True)
    cadre_since = models.DateField("任现职年月", null=True, blank=True)
    cadre_nature = models.PositiveSmallIntegerField("团干部性质", choices=CadreNature.choices, null=True, blank=True)
    party_committee_member = models.BooleanField("是否同级党支部（党组织）成员", null=True, blank=True)
    # applied at once
    phone = models.CharField("手机号码", max_length=11)
    nation = models.PositiveSmallIntegerField("民族", choices=NATION_CHOICES)
    nation_name = models.CharField("民族名称", max_length=99, blank=True)
    education = models.PositiveSmallIntegerField("全日制学历", choices=Education.choices)
    highest_education = models.PositiveSmallIntegerField("最高学历", choices=Education.choices)
    hukou_province = models.CharField("户籍所在省", max_length=20)
    hukou_city = models.CharField("户籍所在市", max_length=20)
    hukou_county = models.CharField("户籍所在区县", max_length=20)
    join_unit = models.CharField("入团时所在单位", max_length=29)
    member_number = models.CharField("团员编号", max_length=24, blank=True)
    occupation = models.PositiveSmallIntegerField("职业", choices=Occupation.choices, null=True, blank=True)
    work_unit = models.CharField("学习工作单位", max_length=49, blank=True)
    email = models.CharField("电子邮箱", max_length=49, blank=True)
    qq = models.CharField("QQ", max_length=19, blank=True)
    wechat = models.CharField("微信号", max_length=49, blank=True)
    weibo = models.CharField("微博号", max_length=49, blank=True)
    joined_party = models.DateField("入党年月", null=True, blank=True)
    volunteer_since = models.DateField("注册志愿者时间", null=True, blank=True)
    # statuses
    registration_status = models.PositiveSmallIntegerField(
        "报到资料状态", choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING)
    return_reason = models.CharField("退回原因", max_length=249, blank=True)
    pending_changes = models.JSONField("待审核的修改", null=True, blank=True,
                                       help_text="修改资料待审核时的新值；审核通过前原值有效")
    real_name_status = models.PositiveSmallIntegerField(
        "实名认证状态", choices=RealNameStatus.choices, default=RealNameStatus.UNCHECKED)
    real_name_reason = models.CharField("实名通过理由", max_length=249, blank=True)
    league_status = models.PositiveSmallIntegerField("团籍状态", choices=LeagueStatus.choices,
                                                     default=LeagueStatus.NORMAL)
    left_on = models.DateField("离团日期", null=True, blank=True)
    age_out_run = models.ForeignKey("AgeOutRun", verbose_name="满28自动离团批次", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)
    deletion_state = models.PositiveSmallIntegerField("删除状态", choices=DeletionState.choices,
                                                      default=DeletionState.NORMAL)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    # Set when a transfer out of the province (or to an org not under the provincial committee) completes:
    # the record stays, read-only, and the member may transfer back later (services.transfers).
    transferred_out_at = models.DateTimeField("转出本省时间", null=True, blank=True)
    submitted_at = models.DateTimeField("申请报到时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("资料审核时间", null=True, blank=True)
    # The latest 资料修改 (reviewed group) and its review: with submitted_at/reviewed_at they are the
    # receipt and handling times 数据统计's 及时业务响应率 reads (services.statistics).
    change_submitted_at = models.DateTimeField("资料修改申请时间", null=True, blank=True)
    change_reviewed_at = models.DateTimeField("资料修改审核时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "团员"
        verbose_name_plural = "团员"
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], condition=LIVE, name="member_live_id_number",
                                    violation_error_code="id_registered",
                                    violation_error_message="该身份证号码已报到注册"),
            models.UniqueConstraint(fields=["member_number"], condition=LIVE & ~Q(member_number=""),
                                    name="member_live_member_number", violation_error_code="unique",
                                    violation_error_message="该团员编号已被使用"),
            FieldCheckConstraint(name="member_registration_status_valid",
                                 condition=Q(registration_status__gte=0, registration_status__lte=5),
                                 field="registration_status", violation_error_code="invalid_choice",
                                 violation_error_message="报到资料状态不正确"),
            FieldCheckConstraint(name="member_league_status_valid",
                                 condition=Q(league_status__in=[c.value for c in LeagueStatus]),
                                 field="league_status", violation_error_code="invalid_choice",
                                 violation_error_message="团籍状态不正确"),
            FieldCheckConstraint(name="member_real_name_status_valid",
                                 condition=Q(real_name_status__in=[c.value for c in RealNameStatus]),
                                 field="real_name_status", violation_error_code="invalid_choice",
                                 violation_error_message="实名认证状态不正确"),
            FieldCheckConstraint(name="member_deletion_state_valid",
                                 condition=Q(deletion_state__gte=1, deletion_state__lte=3),
                                 field="deletion_state", violation_error_code="invalid_choice",
                                 violation_error_message="删除状态不正确"),
            FieldCheckConstraint(
                name="member_number_from_2017",
                condition=Q(joined_league__lt=MEMBER_NUMBER_FROM) | Q(member_number__regex=r"^[0-9]{12}$"),
                field="member_number", violation_error_code="member_number",
                violation_error_message="入团时间为2017年后的团员，须填写团员编号（12位数字，前4位为入团年份）"),
            models.CheckConstraint(
                name="member_cadre_data", violation_error_code="cadre_fields",
                violation_error_message="担任团干职务的，须填写本支部团干职务、任现职年月、团干部性质和是否同级党支部成员；"
                                        "未担任的，不填写团干信息",
                condition=Q(is_cadre=False, cadre_post__isnull=True, cadre_since__isnull=True,
                            cadre_nature__isnull=True)
                | Q(is_cadre=True, cadre_post__isnull=False, cadre_since__isnull=False, cadre_nature__isnull=False,
                    party_committee_member__isnull=False)),
            models.CheckConstraint(name="member_pending_change_has_values",
                                   condition=~Q(registration_status=RegistrationStatus.CHANGE_PENDING)
                                   | Q(pending_changes__isnull=False),
                                   violation_error_code="pending_change",
                                   violation_error_message="资料修改待审核的团员须有待审核的修改内容"),
            FieldCheckConstraint(name="member_left_has_date",
                                 condition=~Q(league_status__in=[2, 4, 6, 8, 10]) | Q(left_on__isnull=False),
                                 field="left_on", violation_error_code="left_on_required",
                                 violation_error_message="已离团、脱团、退团、停止团籍或被开除团籍的团员须有离团日期"),
        ]
        indexes = [
            # 我的团员: newest first within a branch; the root scope walks the pk index.
            models.Index(fields=["branch", "-id"], name="member_branch_list"),
            models.Index(fields=["branch", "registration_status"], name="member_branch_reg_status"),
            models.Index(fields=["registration_status", "-id"], name="member_reg_status"),
            models.Index(fields=["league_status", "-id"], name="member_league_status"),
            models.Index(fields=["real_name_status", "-id"], name="member_real_name"),
            models.Index(fields=["deletion_state", "-id"], name="member_deletion_state"),
            models.Index(fields=["name"], name="member_name"),
            models.Index(fields=["id_number"], name="member_id_number"),
            # 数据统计's response rate reads the reviews handled since the start of the month
            models.Index(fields=["reviewed_at"], name="member_reviewed_at", condition=Q(reviewed_at__isnull=False)),
            models.Index(fields=["change_reviewed_at"], name="member_change_reviewed_at",
                         condition=Q(change_reviewed_at__isnull=False)),
            models.Index(fields=["member_number"], name="member_number"),
            models.Index(fields=["phone"], name="member_phone"),
            # The nightly 满28 job: normal, approved members by birth date.
            models.Index(fields=["birth_date"], name="member_age_out",
                         condition=Q(league_status=0, registration_status__in=[3, 4, 5], deleted_at__isnull=True)),
            models.Index(fields=["birth_date"], name="member_birth_date"),
            models.Index(fields=["age_out_run"], name="member_age_out_run", condition=Q(age_out_run__isnull=False)),
        ]

    def __str__(self):
        return f"{self.name}（{mask(self.id_number)}）"

    @property
    def masked_id(self):
        return mask(self.id_number)

    @property
    def is_approved(self):
        return self.registration_status in (3, 4, 5)

    @property
    def transferred_out(self):
        return self.transferred_out_at is not None

    @property
    def has_left(self):
        return self.league_status != LeagueStatus.NORMAL

    @property
    def hukou(self):
        return " ".join(p for p in (self.hukou_province, self.hukou_city, self.hukou_county) if p)

    @property
    def nation_label(self):
        return self.nation_name if self.nation == 57 and self.nation_name else self.get_nation_display()

    def age_on(self, day):
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class MemberRequest(models.Model):
    """A branch's request to its direct parent: a 团籍 change (reference §4.4) or a deletion (§4.3)."""

    member = models.ForeignKey(Member, verbose_name="团员", on_delete=models.CASCADE, related_name="requests")
    kind = models.PositiveSmallIntegerField("申请类型", choices=RequestKind.choices)
    branch = models.ForeignKey("orgtree.Organization", verbose_name="申请组织", on_delete=models.CASCADE,
                               related_name="+")
    reviewer = models.ForeignKey("orgtree.Organization", verbose_name="审核组织", on_delete=models.CASCADE,
                                 related_name="+", db_index=False)
    reasons = models.JSONField("申请理由", default=list, blank=True)
    deletion_reason = models.PositiveSmallIntegerField("删除理由", choices=DeletionReason.choices, null=True,
                                                       blank=True)
    description = models.TextField("申请说明")
    state = models.PositiveSmallIntegerField("审核状态", choices=RequestState.choices, default=RequestState.PENDING)
    return_reason = models.CharField("退回原因", max_length=249, blank=True)
    applied_by = models.CharField("申请人", max_length=200)
    reviewed_by = models.CharField("审核人", max_length=200, blank=True)
    applied_at = models.DateTimeField("申请时间", auto_now_add=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "团籍变更/删除申请"
        verbose_name_plural = "团籍变更/删除申请"
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(state=0), name="member_request_one_open",
                                    violation_error_code="unique",
                                    violation_error_message="该团员已有待审核的团籍变更或删除申请，请等待审核结果"),
            FieldCheckConstraint(name="member_request_delete_has_reason",
                                 condition=~Q(kind=20) | Q(deletion_reason__isnull=False),
                                 field="deletion_reason", violation_error_code="required",
                                 violation_error_message="请选择删除理由"),
        ]
        indexes = [models.Index(fields=["reviewer", "state", "-id"], name="member_request_review")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.member.name}"


def _attachment_path(instance, filename):
    # a random name in the private storage: never the uploader's name, never guessable (portal.uploads)
    return uploads.random_name("members/requests", instance.file)


class RequestAttachment(models.Model):
    request = models.ForeignKey(MemberRequest, verbose_name="申请", on_delete=models.CASCADE,
                                related_name="attachments")
    file = models.FileField("证明材料", upload_to=_attachment_path, storage=uploads.private_storage, max_length=200)
    name = models.CharField("文件名", max_length=200)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"


class AgeOutRun(models.Model):
    """One run of the nightly 满28 job: its as-of date and counts (the rows it changed point here)."""

    as_of = models.DateField("基准日期")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    aged_out = models.PositiveIntegerField("离团人数", default=0)
    held_back = models.PositiveIntegerField("因欠交团费暂缓人数", default=0)
    seconds = models.FloatField("耗时(秒)", default=0)

    class Meta:
        verbose_name = "满28自动离团记录"
        verbose_name_plural = "满28自动离团记录"
