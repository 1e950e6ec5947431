"""站内消息, their WeChat deliveries, and broadcasts (reference §2.1.10, §3.20, §6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.jobs import BackgroundJob


ERR_NO_AUDIENCE = "请选择接收对象（团员或团干）"


class Message(models.Model):
    """One site message to one recipient: an org (its admin and operators share it) or a person.

    A broadcast fans out to one row per recipient so that each person's read state is their own.
    """

    class Level(models.IntegerChoices):  # reference §3.20 msgType
        SYSTEM = 0, "系统级"
        ORG = 1, "组织级"
        USER = 2, "用户级"

    level = models.PositiveSmallIntegerField("消息类型", choices=Level.choices, default=Level.SYSTEM)
    recipient_org = models.ForeignKey(
        "orgtree.Organization", verbose_name="接收组织", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", db_index=False,  # covered by message_org_list
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", db_index=False,  # covered by message_user_list
    )
    sender_org = models.ForeignKey(
        "orgtree.Organization", verbose_name="发送组织", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField("站内信标题", max_length=100)
    body = models.TextField("站内信内容", max_length=2000)
    link = models.CharField("链接", max_length=500, blank=True, help_text="站内相对地址，打开后进入相应的筛选列表")
    broadcast = models.ForeignKey("Broadcast", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                  db_index=False)  # covered by message_broadcast_once
    # What the message is about (e.g. "members.registration" + the member's id): the detail page asks
    # the subject's app whether it still awaits action (``subjects``), and ``notify_many(once=True)``
    # tells a recipient about a subject once.
    subject_type = models.CharField("事项类型", max_length=40, blank=True, default="", db_default="")
    subject_id = models.PositiveBigIntegerField("事项编号", null=True, blank=True)
    created_at = models.DateTimeField("接收时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        constraints = [
            models.CheckConstraint(
                name="message_one_recipient",
                condition=(Q(recipient_org__isnull=False, recipient_user__isnull=True)
                           | Q(recipient_org__isnull=True, recipient_user__isnull=False)),
                violation_error_code="one_recipient",
                violation_error_message="一条站内消息只能发给一个团组织或一个人",
            ),
            # A broadcast reaches a person once, however often its fan-out job runs.
            models.UniqueConstraint(fields=["broadcast", "recipient_user"], name="message_broadcast_once",
                                    condition=Q(broadcast__isnull=False), violation_error_code="broadcast_once",
                                    violation_error_message="该群发消息已发给此人"),
        ]
        indexes = [
            # the lists (newest first) and the unread badge, per recipient
            models.Index(fields=["recipient_user", "-id"], name="message_user_list"),
            models.Index(fields=["recipient_org", "-id"], name="message_org_list"),
            models.Index(fields=["recipient_user"], name="message_user_unread", condition=Q(read_at__isnull=True)),
            models.Index(fields=["recipient_org"], name="message_org_unread", condition=Q(read_at__isnull=True)),
            # messages about a subject (the "once" check of bulk notices, the latest about a request)
            models.Index(fields=["subject_type", "subject_id"], name="message_subject",
                         condition=Q(subject_id__isnull=False)),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class Outbox(models.Model):
    """A call to WeChat made by a task and retried until it succeeds or fails for good.

    ``delivery.attempt`` and ``delivery.sweep`` run any subclass; its ``status`` takes the values
    queued / sending / retrying / failed and one success value of its own.
    """

    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    errcode = models.IntegerField("错误码", null=True, blank=True)
    errmsg = models.CharField("错误信息", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)

    class Meta:
        abstract = True


class Delivery(Outbox):
    """A message on its way to a person's WeChat: queued → sent, or retried, or failed."""

    class Channel(models.TextChoices):
        MP = "mp", "公众号模板消息"
        WORK = "work", "企业号应用消息"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        SENDING = "sending", "发送中"
        RETRYING = "retrying", "等待重试"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    target = models.CharField("openid / userid", max_length=128)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "微信推送记录"
        verbose_name_plural = "微信推送记录"
        constraints = [
            models.UniqueConstraint(fields=["message", "channel", "target"], name="delivery_once_per_target",
                                    violation_error_code="delivery_once",
                                    violation_error_message="该消息已向此接收者推送"),
        ]
        indexes = [
            # the sweeper looks only at unfinished deliveries
            models.Index(fields=["status", "next_attempt_at"], name="delivery_unfinished",
                         condition=Q(status__in=["queued", "sending", "retrying"])),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.target}: {self.get_status_display()}"


class Broadcast(BackgroundJob):
    """群发: an org's site message to every member and/or cadre of its subtree.

    A background job (``portal.jobs``): a fan-out lost or killed is re-queued by the sweeper, and
    after ``FAN_OUT_ATTEMPTS`` fails for good (``failed``, not counted against the monthly quota).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    org = models.ForeignKey("orgtree.Organization", verbose_name="发送组织", on_delete=models.CASCADE,
                            related_name="+")
    sender_label = models.CharField("发送人", max_length=200)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", max_length=2000)
    link = models.CharField("链接", max_length=500, blank=True)
    to_members = models.BooleanField("发送给团员", default=False)
    to_cadres = models.BooleanField("发送给团干", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    recipients = models.PositiveIntegerField("接收人数", default=0)
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    sent_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "群发消息"
        verbose_name_plural = "群发消息"
        indexes = [
            models.Index(fields=["org", "-created_at"], name="broadcast_org_time"),
            # the job sweeper looks only at unfinished broadcasts
            models.Index(fields=["queued_at"], name="broadcast_unfinished", condition=Q(status="queued")),
        ]
        constraints = [
            models.CheckConstraint(name="broadcast_has_audience", condition=Q(to_members=True) | Q(to_cadres=True),
                                   violation_error_code="no_audience", violation_error_message=ERR_NO_AUDIENCE),
        ]

    def __str__(self):
        return self.title

    @property
    def audience_label(self):
        return "、".join(label for flag, label in ((self.to_members, "团员"), (self.to_cadres, "团干")) if flag)


class BroadcastQuota(models.Model):
    """An org's monthly broadcast allowance (reference §6 ``totalMsg``) and the row a send locks.

    ``sent this month`` is counted from the org's broadcasts; the row exists so that two sends
    at once cannot both take the last one (the send holds it with SELECT … FOR UPDATE).
    """

    org = models.OneToOneField("orgtree.Organization", verbose_name="组织", on_delete=models.CASCADE,
                               related_name="+")
    monthly_allowance = models.PositiveSmallIntegerField(
        "每月可群发次数", null=True, blank=True, help_text="留空则使用系统默认值")

    class Meta:
        verbose_name = "群发额度"
        verbose_name_plural = "群发额度"

    @property
    def allowance(self):
        if self.monthly_allowance is None:
            return settings.BROADCAST_MONTHLY_QUOTA
        return self.monthly_allowance
