"""团干: a person (by ID number) who may hold cadre posts in several orgs, each org keeping its own
post data (reference §2.1.4, §4.11); operators are cadres an org lets work its service pages."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from orgtree.validators import email_validator, mobile_validator
from portal.idcard import IdType, Sex
from portal.jobs import BackgroundJob
from portal.people import NATION_CHOICES, BranchDuty, CadreNature, PoliticalStatus
from services.messaging.models import Outbox


class Education(models.IntegerChoices):  # reference §3.6a 文化程度
    DOCTOR = 1, "博士"
    DOCTOR_STUDYING = 2, "博士在读"
    MASTER = 3, "硕士"
    MASTER_STUDYING = 4, "硕士在读"
    BACHELOR = 5, "普通本科"
    BACHELOR_STUDYING = 6, "普通本科在读"
    COLLEGE = 7, "普通专科"
    COLLEGE_STUDYING = 8, "普通专科在读"
    HIGH_SCHOOL = 9, "普通高中"
    HIGH_SCHOOL_STUDYING = 10, "普通高中在读"
    VOCATIONAL = 11, "中等职业教育"
    VOCATIONAL_STUDYING = 12, "中等职业教育在读"
    JUNIOR = 13, "初中"
    JUNIOR_STUDYING = 14, "初中在读"
    PRIMARY = 15, "小学"


class LeadingDuty(models.IntegerChoices):  # reference §3.4a: a 领导机关 cadre's own duty (duty.json)
    SECRETARY = 1, "书记"
    DEPUTY = 2, "副书记"
    STANDING = 3, "常委"
    COMMITTEE = 4, "委员"
    STAFF = 5, "工作人员"
    ALTERNATE = 6, "候补委员"


OtherDuty = BranchDuty  # reference §3.4b: every other org's duties (dutyOther.json)


def duty_choices(org):
    """The 团干职务 list a cadre of ``org`` picks from (§3.4a for 领导机关, §3.4b otherwise)."""
    from orgtree.rules import OrgType

    return LeadingDuty if org.org_type == OrgType.LEADING else OtherDuty


class CadrePerson(models.Model):
    """The person behind one or more cadre posts: base information, entered once."""

    id_type = models.PositiveSmallIntegerField("证件类型", choices=IdType.choices, default=IdType.RESIDENT)
    id_number = models.CharField("身份证号码", max_length=30, unique=True)
    name = models.CharField("姓名", max_length=99)
    sex = models.PositiveSmallIntegerField("性别", choices=Sex.choices, null=True, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    phone = models.CharField("手机号码", max_length=11, unique=True, validators=[mobile_validator])
    nation = models.PositiveSmallIntegerField("民族", choices=NATION_CHOICES)
    nation_name = models.CharField("民族名称", max_length=99, blank=True)
    political_status = models.PositiveSmallIntegerField("政治面貌", choices=PoliticalStatus.choices)
    education = models.PositiveSmallIntegerField("文化程度", choices=Education.choices)
    joined_league = models.DateField("入团年月", null=True, blank=True)
    first_org = models.ForeignKey("orgtree.Organization", verbose_name="基本信息首次录入组织", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    # The 企业号 side: the login a cadre gets on joining, and the working identity last chosen.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="企业号登录", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cadre_person")
    joined_work_at = models.DateTimeField("入驻企业号时间", null=True, blank=True)
    working_post = models.ForeignKey("CadrePost", verbose_name="当前工作身份", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "团干"
        verbose_name_plural = "团干"
        indexes = [
            # 通讯录 searches a short name by prefix (LIKE 'x%': the pattern opclass on PostgreSQL)
            models.Index(fields=["name"], name="cadre_person_name", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name


class CadrePost(models.Model):
    """One org's cadre record of a person (the reference's ``taiid``): this org's post data only."""

    person = models.ForeignKey(CadrePerson, verbose_name="团干", on_delete=models.CASCADE, related_name="posts")
    org = models.ForeignKey("orgtree.Organization", verbose_name="团干所属组织", on_delete=models.CASCADE,
                            related_name="cadre_posts")
    title = models.CharField("团内现任职务", max_length=99)
    nature = models.PositiveSmallIntegerField("团干部性质", choices=CadreNature.choices)
    took_office = models.DateField("任现职年月", null=True, blank=True)
    party_committee_member = models.BooleanField("是否同级党委（支部）成员", default=False)
    work_unit = models.CharField("学习工作单位", max_length=49, blank=True)
    email = models.CharField("电子邮箱", max_length=49, blank=True, validators=[email_validator])
    qq = models.CharField("QQ", max_length=19, blank=True)
    wechat = models.CharField("微信号", max_length=49, blank=True)
    weibo = models.CharField("微博号", max_length=49, blank=True)
    member_number = models.CharField("团员编号", max_length=24, blank=True)
    joined_party = models.DateField("入党年月", null=True, blank=True)
    volunteer_since = models.DateField("注册志愿者时间", null=True, blank=True)
    enabled = models.BooleanField("状态", default=True, help_text="启用的团干可以进入本组织的企业号")
    # 运营者: the login the org gives this cadre for its service pages (phone + password).
    operator_user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="运营者账号", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="operator_post")
    operator_label = models.CharField("职位标签", max_length=99, blank=True)
    # 团干自行录入的职务: the cadre's own duty, asked when they enter WeChat Work (reference §2.3
    # cadre_position: 团干职务 from duty_choices(org), 职务名称 where the list needs one).
    duty = models.PositiveSmallIntegerField("团干职务", null=True, blank=True)
    duty_name = models.CharField("职务名称", max_length=99, blank=True)
    # 通讯录 search: name, post and org name in one column (a pg_trgm GIN index on PostgreSQL).
    search_text = models.CharField("检索文本", max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "团干职务"
        verbose_name_plural = "团干职务"
        constraints = [
            models.UniqueConstraint(fields=["person", "org"], name="cadre_post_once_per_org",
                                    violation_error_code="already_here",
                                    violation_error_message="本组织已存在该记录，不能重复添加"),
            # One cadre may be the operator of only one org (reference §2.1.4, manual tip 1).
            models.UniqueConstraint(fields=["person"], condition=Q(operator_user__isnull=False),
                                    name="cadre_operator_of_one_org", violation_error_code="unique",
                                    violation_error_message="一个团干只能在一个组织担任运营者，请先取消其在其他组织的运营者身份"),
        ]
        indexes = [
            models.Index(fields=["org", "-id"], name="cadre_post_org_list"),
            models.Index(fields=["org"], condition=Q(operator_user__isnull=False), name="cadre_post_org_operator"),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.title}）"

    def build_search_text(self, person=None, org=None):
        person, org = person or self.person, org or self.org
        duty = f" {self.duty_label}" if self.duty is not None and self.duty_label not in self.title else ""
        return f"{person.name} {self.title}{duty} {org.full_name} {org.short_name}"[:300]

    def own_words(self, person=None):
        """The post's own words for the two-character directory search (org names are indexed per org)."""
        return f"{(person or self.person).name} {self.title} {self.duty_label}"

    @property
    def duty_label(self):
        """团干自行录入的职务 as shown: the 职务名称 when given, else the list's label."""
        if self.duty is None:
            return ""
        if self.duty_name:
            return self.duty_name
        choices = duty_choices(self.org)
        return choices(self.duty).label if self.duty in choices.values else ""

    @property
    def is_operator(self):
        return self.operator_user_id is not None


class PostGram(models.Model):
    """通讯录: a two-character word (CJK bigram, pages/cjk.py) of an enabled post's own words (name, post).

    pg_trgm cannot serve queries shorter than three characters, so a two-character query
    (书记, 李娜) is one lookup of this index, on SQLite and PostgreSQL alike.
    """

    post = models.ForeignKey(CadrePost, on_delete=models.CASCADE, related_name="grams")
    gram = models.CharField(max_length=2)

    class Meta:
        verbose_name = "通讯录检索词（团干）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["gram", "post"], name="post_gram_once",
                                               violation_error_message="检索词重复", violation_error_code="duplicate")]


class OrgGram(models.Model):
    """通讯录: a two-character word of an org's full or short name (天河, 团委), kept once per org
    rather than on each of its posts, for the orgs that have cadres."""

    org = models.ForeignKey("orgtree.Organization", on_delete=models.CASCADE, related_name="+")
    gram = models.CharField(max_length=2)

    class Meta:
        verbose_name = "通讯录检索词（组织）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["gram", "org"], name="org_gram_once",
                                               violation_error_message="检索词重复", violation_error_code="duplicate")]


class CadreImport(BackgroundJob):
    """批量导入团干: one uploaded sheet, validated whole before anything is imported.

    The file is kept in the database (not in public media: it holds ID numbers) only until it is
    processed. Large files run as a django-q2 job; the page shows ``processed``/``total``. A job
    lost or killed (queued or 校验中 past its timeout) is re-queued by the sweeper (``portal.jobs``)
    and fails for good after ``imports.IMPORT_ATTEMPTS``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "校验中"
        DONE = "done", "导入成功"
        REJECTED = "rejected", "校验未通过，未导入"
        FAILED = "failed", "导入失败"

    org = models.ForeignKey("orgtree.Organization", verbose_name="导入组织", on_delete=models.CASCADE,
                            related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作账号", null=True,
                             on_delete=models.SET_NULL, related_name="+")
    ip = models.GenericIPAddressField("请求IP", null=True, blank=True)
    filename = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容", null=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("总行数", default=0)
    processed = models.PositiveIntegerField("已校验行数", default=0)
    imported = models.PositiveIntegerField("导入数量", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)  # [[row number, reason], ...]
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "团干导入"
        verbose_name_plural = "团干导入"
        indexes = [
            models.Index(fields=["org", "-created_at"], name="cadre_import_org_time"),
            # the job sweeper looks only at unfinished imports
            models.Index(fields=["status"], name="cadre_import_unfinished",
                         condition=Q(status__in=["queued", "running"])),
        ]


class ContactSync(Outbox):
    """A change to the WeChat Work contact list — cadres must be in it to join — sent by a task and
    retried like message deliveries. Keyed by phone: a synced cadre's WeChat Work userid is their phone."""

    class Action(models.TextChoices):
        UPSERT = "upsert", "新增/更新成员"
        DISABLE = "disable", "禁用成员"
        DELETE = "delete", "删除成员"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        SENDING = "sending", "发送中"
        RETRYING = "retrying", "等待重试"
        DONE = "done", "已同步"
        FAILED = "failed", "同步失败"

    userid = models.CharField("企业微信 userid", max_length=64)
    action = models.CharField("操作", max_length=8, choices=Action.choices)
    name = models.CharField("姓名", max_length=99, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)

    class Meta:
        verbose_name = "企业号通讯录同步"
        verbose_name_plural = "企业号通讯录同步"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="contact_sync_unfinished",
                                condition=Q(status__in=["queued", "sending", "retrying"]))]


class WorkingGroup(models.Model):
    """专项工作群: a cross-level WeChat Work group chat a cadre makes from the directory.

    WeChat Work holds the chat itself (``appchat``); we keep who is in it so it can be listed and
    messaged from the cadre end.
    """

    name = models.CharField("群名称", max_length=50)
    chat_id = models.CharField("群聊ID", max_length=32, unique=True)
    owner = models.ForeignKey(CadrePerson, verbose_name="群主", on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(CadrePerson, verbose_name="群成员", related_name="working_groups")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "专项工作群"
        verbose_name_plural = "专项工作群"

    def __str__(self):
        return self.name
