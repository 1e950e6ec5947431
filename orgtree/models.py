from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from treebeard.mp_tree import MP_Node

from portal.constraints import FieldCheckConstraint

from .rules import Industry, OrgType
from .validators import alias_validator, email_validator, phone_validator


class IssuedOrgCode(models.Model):
    """Every 组织ID ever issued. Rows are never deleted, so an id — and the code made
    from it — is never handed out twice, even after its org is deleted."""

    CODE_BASE = 10_000_000

    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "已发放组织ID"

    @property
    def code(self):
        return str(self.CODE_BASE + self.pk)


class Organization(MP_Node):
    """A league organisation: one node of the province's org tree (materialised path)."""

    steplen = 4

    code = models.CharField("组织ID", max_length=16, unique=True, editable=False)
    org_type = models.PositiveSmallIntegerField("组织类型", choices=OrgType.choices)
    full_name = models.CharField("团组织全称", max_length=99, db_index=True)
    short_name = models.CharField("团组织简称", max_length=99)
    phone = models.CharField("团组织联系电话", max_length=20, validators=[phone_validator])
    email = models.CharField("团组织电子邮箱", max_length=49, validators=[email_validator])
    industry = models.PositiveSmallIntegerField("单位所属行业类别", choices=Industry.choices, null=True, blank=True)
    admin_quota = models.PositiveIntegerField("本级团组织行政编制数", null=True, blank=True)
    admin_staffed = models.PositiveIntegerField("行政编制实际配备数", null=True, blank=True)
    career_quota = models.PositiveIntegerField("本级团组织事业编制数", null=True, blank=True)
    career_staffed = models.PositiveIntegerField("事业编制实际配备数", null=True, blank=True)
    secretary_name = models.CharField("团组织书记姓名", max_length=49, blank=True)
    institution_code = models.CharField("团组织机构代码", max_length=49, blank=True)
    wechat_account = models.CharField("团组织微信号", max_length=49, blank=True)
    weibo_account = models.CharField("团组织微博号", max_length=49, blank=True)
    wechat_work_alias = models.CharField(
        "企业号代称", max_length=16, blank=True, validators=[alias_validator],
        help_text="在智慧团建企业号中显示的名称，由首位入驻的运营者设置",
    )
    # School orgs (DESIGN §5)
    is_school = models.BooleanField("是否学校组织", default=False)
    school_code = models.CharField("学校标识码", max_length=10, blank=True)
    graduation_year = models.PositiveSmallIntegerField("毕业年份", null=True, blank=True)
    # Dues retention (留存), used by the dues app
    retains_dues = models.BooleanField("有团费留存权限", default=False)
    retention_ratio = models.PositiveSmallIntegerField(
        "留存比例(%)", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    sub_account_valid = models.BooleanField("有有效子账户", default=False)
    is_system = models.BooleanField("系统内置", default=False, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "团组织"
        verbose_name_plural = "团组织"
        constraints = [
            FieldCheckConstraint(
                name="org_branch_is_leaf", condition=~Q(org_type=OrgType.BRANCH) | Q(numchild=0),
                field="org_type", violation_error_code="branch_has_children",
                violation_error_message="该组织存在下级组织，不能为团支部（团支部是组织树的末端）",
            ),
            FieldCheckConstraint(
                name="org_type_valid", condition=Q(org_type__gte=1, org_type__lte=5),
                field="org_type", violation_error_code="invalid_choice", violation_error_message="请选择组织类型",
            ),
            FieldCheckConstraint(
                name="org_retention_ratio_percent", condition=Q(retention_ratio__gte=0, retention_ratio__lte=100),
                field="retention_ratio", violation_error_code="retention_ratio",
                violation_error_message="留存比例请输入0-100的整数",
            ),
            FieldCheckConstraint(
                name="org_school_has_code", condition=Q(is_school=False) | Q(school_code__regex=r"^[0-9]{10}$"),
                field="school_code", violation_error_code="school_code",
                violation_error_message="学校组织必须填写10位数字学校标识码",
            ),
            FieldCheckConstraint(
                name="org_school_branch_has_graduation_year",
                condition=~Q(is_school=True, org_type=OrgType.BRANCH) | Q(graduation_year__isnull=False),
                field="graduation_year", violation_error_code="graduation_year_required",
                violation_error_message="学校团支部须选择毕业年份",
            ),
            models.CheckConstraint(
                name="org_branch_has_no_headcount",
                condition=~Q(org_type=OrgType.BRANCH)
                | Q(admin_quota__isnull=True, admin_staffed__isnull=True, career_quota__isnull=True,
                    career_staffed__isnull=True),
                violation_error_code="branch_headcount", violation_error_message="团支部不填写编制数",
            ),
        ]
        indexes = [models.Index(fields=["depth", "org_type"], name="org_depth_type")]

    def __str__(self):
        return self.full_name

    @property
    def type_label(self):
        return OrgType(self.org_type).label

    @property
    def is_branch(self):
        return self.org_type == OrgType.BRANCH

    @property
    def parent_path(self):
        return self.path[: -self.steplen]

    @property
    def ancestor_paths(self):
        """The paths of every ancestor: the prefixes of this node's path."""
        return [self.path[:end] for end in range(self.steplen, len(self.path), self.steplen)]

    def is_in_subtree_of(self, other):
        return self.path.startswith(other.path)
