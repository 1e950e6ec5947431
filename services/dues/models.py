"""团费: tiers (data), monthly bills, payment orders and the branch's offline records (DESIGN §5 Dues).

Money is ``Decimal`` with two places everywhere; fen (int) appear only at the WeChat Pay boundary
(``payment.py``). Invariants live in the database: one bill per member and month, amounts in range,
an order's money and its state consistent, a paid bill says how it was paid.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from portal.constraints import FieldCheckConstraint

from .money import to_fen

MAX_TIER_AMOUNT = Decimal("1000")  # reference §4.10: tier amounts < 1000
MAX_ONLINE_DONATION = Decimal("1000")  # 自愿多交: at most 1000 online (reference §2.2.6)


class DuesTier(models.Model):
    """One 交费档位. ``income`` is the member's reviewed 收入 code (services.members.choices.Income):
    学生 and 农民 are two of its values, so a tier follows exactly the reviewed field."""

    income = models.PositiveSmallIntegerField("收入档", unique=True)
    name = models.CharField("档位名称", max_length=40)
    description = models.CharField("说明", max_length=200, blank=True)
    amount = models.DecimalField("每月团费（元）", max_digits=6, decimal_places=2)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "团费档位"
        verbose_name_plural = "团费档位"
        ordering = ["income"]
        constraints = [
            FieldCheckConstraint(name="dues_tier_amount_range", condition=Q(amount__gte=0, amount__lt=1000),
                                 field="amount", violation_error_code="amount",
                                 violation_error_message="团费金额须在0至1000元之间（不含1000元）"),
        ]

    def __str__(self):
        return f"{self.name} {self.amount}元/月"


class BillingRun(models.Model):
    """One month's billing (the 1st, django-q2): a rerun of the month finds it and does nothing."""

    month = models.DateField("账单月份", unique=True, help_text="当月1日")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    bills = models.PositiveIntegerField("生成账单数", default=0)
    seconds = models.FloatField("耗时(秒)", default=0)
    reminded = models.PositiveIntegerField("提醒人数", default=0)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "团费账单生成记录"
        verbose_name_plural = "团费账单生成记录"


class Payment(models.Model):
    """A WeChat Pay order (APIv3 JSAPI): the member's own dues, 帮TA交费, or 自愿多交."""

    class Kind(models.IntegerChoices):
        DUES = 1, "团费"
        DONATION = 2, "自愿多交"

    class State(models.IntegerChoices):
        PENDING = 0, "待支付"
        PAID = 1, "已支付"
        CLOSED = 2, "已取消"
        FAILED = 3, "支付失败"

    out_trade_no = models.CharField("订单编号", max_length=32, unique=True)
    kind = models.PositiveSmallIntegerField("订单类型", choices=Kind.choices)
    payer = models.ForeignKey("members.Member", verbose_name="付款团员", on_delete=models.PROTECT,
                              related_name="dues_payments")
    branch = models.ForeignKey("orgtree.Organization", verbose_name="付款时所在团支部", on_delete=models.PROTECT,
                               related_name="+")
    total = models.DecimalField("订单金额（元）", max_digits=10, decimal_places=2)
    state = models.PositiveSmallIntegerField("订单状态", choices=State.choices, default=State.PENDING)
    prepay_id = models.CharField("预支付交易会话标识", max_length=64, blank=True)
    transaction_id = models.CharField("微信支付订单号", max_length=32, blank=True)
    created_at = models.DateTimeField("下单时间", auto_now_add=True)
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    # Anything the payment path noticed that a person must look at (a late payment for bills paid meanwhile).
    problem = models.CharField("异常说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "团费订单"
        verbose_name_plural = "团费订单"
        constraints = [
            FieldCheckConstraint(name="dues_payment_total_positive", condition=Q(total__gt=0), field="total",
                                 violation_error_code="total", violation_error_message="订单金额须大于0"),
            FieldCheckConstraint(name="dues_payment_donation_online_max",
                                 condition=~Q(kind=2) | Q(total__lte=MAX_ONLINE_DONATION), field="total",
                                 violation_error_code="donation_max",
                                 violation_error_message="为了您的资金安全，团员自愿多交的团费超出1000元时，"
                                                         "请线下联系您所在的基层团委。"),
            models.CheckConstraint(name="dues_payment_paid_has_time",
                                   condition=~Q(state=1) | Q(paid_at__isnull=False),
                                   violation_error_code="paid_at", violation_error_message="已支付的订单须有支付时间"),
        ]
        indexes = [
            models.Index(fields=["payer", "-id"], name="dues_payment_payer"),
            # Orders whose notify never came: the query job walks pending orders by age.
            models.Index(fields=["created_at"], name="dues_payment_pending", condition=Q(state=0)),
            models.Index(fields=["kind", "paid_at"], name="dues_payment_kind_paid", condition=Q(state=1)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}订单 {self.out_trade_no}"

    @property
    def total_fen(self):
        return to_fen(self.total)


class DuesBill(models.Model):
    """One member's dues for one month, owned by the branch the member was in when it was made
    (arrears across a transfer stay with the old branch: manual 团费管理 tip 3)."""

    class Via(models.IntegerChoices):
        ONLINE = 1, "微信支付"
        OFFLINE = 2, "线下交纳"

    member = models.ForeignKey("members.Member", verbose_name="团员", on_delete=models.PROTECT,
                               related_name="dues_bills")
    month = models.DateField("账单月份", help_text="当月1日")
    branch = models.ForeignKey("orgtree.Organization", verbose_name="所属团支部", on_delete=models.PROTECT,
                               related_name="+")
    amount = models.DecimalField("应交金额（元）", max_digits=8, decimal_places=2)
    tier_name = models.CharField("交费档位", max_length=40)
    # An order in progress locks the bill; cancel/fail/close unlocks it.
    order = models.ForeignKey(Payment, verbose_name="锁定订单", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="locked_bills")
    paid_at = models.DateTimeField("交纳时间", null=True, blank=True)
    paid_via = models.PositiveSmallIntegerField("交纳方式", choices=Via.choices, null=True, blank=True)
    payment = models.ForeignKey(Payment, verbose_name="支付订单", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="paid_bills", db_index=False)
    paid_by = models.ForeignKey("members.Member", verbose_name="代交团员", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+", db_index=False)
    recorded_by = models.CharField("记录人", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "团费账单"
        verbose_name_plural = "团费账单"
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_bill_one_per_month",
                                    violation_error_code="bill_exists",
                                    violation_error_message="该团员当月已有团费账单"),
            FieldCheckConstraint(name="dues_bill_amount_positive", condition=Q(amount__gt=0), field="amount",
                                 violation_error_code="amount", violation_error_message="账单金额须大于0"),
            models.CheckConstraint(name="dues_bill_paid_consistent",
                                   condition=Q(paid_at__isnull=True, paid_via__isnull=True)
                                   | Q(paid_at__isnull=False, paid_via=1, payment__isnull=False)
                                   | Q(paid_at__isnull=False, paid_via=2, payment__isnull=True),
                                   violation_error_code="paid", violation_error_message="账单的交纳信息不完整"),
        ]
        indexes = [
            models.Index(fields=["branch", "month"], name="dues_bill_branch_month"),
            models.Index(fields=["member", "month"], name="dues_bill_unpaid", condition=Q(paid_at__isnull=True)),
            # A branch's members who owe (the 欠交团费 to-do tile on its home page, 团费查询's offline list):
            # its unpaid bills in member order from the index alone, not every bill read and sorted.
            models.Index(fields=["branch", "member"], name="dues_bill_branch_unpaid", condition=Q(paid_at__isnull=True)),
            models.Index(fields=["paid_at", "branch"], name="dues_bill_paid", condition=Q(paid_at__isnull=False)),
            # 帮TA交费清单 (a member's payments for others): without it a seq scan of every bill, 430 ms at
            # province scale. Partial: the monthly billing's inserts (paid_by empty) do not touch it.
            models.Index(fields=["paid_by", "-paid_at"], name="dues_bill_paid_by", condition=Q(paid_by__isnull=False)),
        ]

    def __str__(self):
        return f"{self.month:%Y年%m月}团费 {self.amount}元"

    @property
    def is_paid(self):
        return self.paid_at is not None

    @property
    def payer_label(self):
        if self.paid_via == self.Via.OFFLINE:
            return "线下交纳"
        if self.paid_by_id and self.paid_by_id != self.member_id:
            return self.paid_by.name
        return "本人" if self.paid_at else ""


class OrderLine(models.Model):
    """A bill an order pays (kept after the lock is released, so a late success still finds its bills)."""

    payment = models.ForeignKey(Payment, verbose_name="订单", on_delete=models.CASCADE, related_name="lines")
    bill = models.ForeignKey(DuesBill, verbose_name="账单", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元）", max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = "订单明细"
        verbose_name_plural = "订单明细"
        constraints = [models.UniqueConstraint(fields=["payment", "bill"], name="dues_order_line_unique",
                                               violation_error_code="line_exists",
                                               violation_error_message="该账单已在此订单中")]


class MonthStat(models.Model):
    """团费查询's figures of one org (its whole subtree) for one bill month: built set-based after the
    month's bills are made, and kept current by every payment (the ancestors' rows of the paid bills'
    owner), so the page reads a handful of rows whatever the subtree's size (DESIGN §7)."""

    org = models.ForeignKey("orgtree.Organization", verbose_name="团组织", on_delete=models.CASCADE,
                            related_name="+")
    month = models.DateField("账单月份")
    members = models.PositiveIntegerField("组织团员总数", default=0,
                                          help_text="生成账单时在册的团员（已审核通过、团籍正常），含无需交费的党员")
    billed = models.PositiveIntegerField("应交费团员数", default=0)
    billed_amount = models.DecimalField("应交总额（元）", max_digits=14, decimal_places=2, default=0)
    paid = models.PositiveIntegerField("已交团员数", default=0)
    paid_amount = models.DecimalField("当月交纳总额（元）", max_digits=14, decimal_places=2, default=0)
    updated_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = "团费月度统计"
        verbose_name_plural = "团费月度统计"
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="dues_month_stat_unique",
                                               violation_error_code="stat_exists",
                                               violation_error_message="该组织当月已有团费统计")]

    @property
    def unpaid(self):
        return self.billed - self.paid
