"""团费档位: tiers are data (DESIGN §5 Dues), editable by the provincial account only.

A member's tier follows their reviewed 收入 (学生 and 农民 are values of it): a pending 资料修改
keeps the old value in force on the member record until the branch approves it, so the new figures
apply from the next month's bill (manual 团费管理 tip 1). Party members and probationary Party members
who keep their membership owe nothing.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.audit import audit_record, register_actions

from .models import MAX_TIER_AMOUNT, DuesTier
from .money import parse_yuan

register_actions({"dues.tier_update": "修改团费档位"})

ERR_PROVINCE_ONLY = "团费档位只能由团省委账号设置"
ERR_AMOUNT = "团费金额须为0至1000元之间（不含1000元）、最多两位小数的数字"

#: Political statuses that owe 0 (services.members.choices.MemberPolitical: 中共党员, 中共预备党员).
EXEMPT_POLITICAL = (2, 3)

#: DESIGN §5 / reference §3.9 defaults, by Income code: (name, description, amount).
DEFAULTS = {
    6: ("学生档", "职业为学生，无收入", Decimal("0.20")),
    7: ("农民档", "农村户籍且无固定收入", Decimal("0.50")),
    1: ("收入档一", "税后月收入2000元以下", Decimal("3.00")),
    2: ("收入档二", "税后月收入2000–5000元", Decimal("5.00")),
    3: ("收入档三", "税后月收入5000–8000元", Decimal("10.00")),
    4: ("收入档四", "税后月收入8000–10000元", Decimal("15.00")),
    5: ("收入档五", "税后月收入10000元以上", Decimal("20.00")),
}


def seed_defaults(tier_model=DuesTier):
    """Create the default tiers that are missing (a migration calls this with the historical model)."""
    for income, (name, description, amount) in DEFAULTS.items():
        tier_model.objects.get_or_create(income=income, defaults={"name": name, "description": description,
                                                                  "amount": amount})


def is_province(org):
    return org is not None and org.depth == 1


@transaction.atomic
def tier_update(*, actor, tier, amount):
    """The provincial account sets a tier's monthly amount (applies from the next bill)."""
    actor.require_org_actor()
    if not is_province(actor.org):
        raise ValidationError(ERR_PROVINCE_ONLY, code="province_only")
    value = parse_yuan(amount)
    if value is None or value < 0 or value >= MAX_TIER_AMOUNT:
        raise ValidationError({"amount": ValidationError(ERR_AMOUNT, code="amount")})
    tier = DuesTier.objects.select_for_update().get(pk=tier.pk)
    before = str(tier.amount)
    tier.amount = value
    tier.save(update_fields=["amount", "updated_at"])
    audit_record(actor=actor, action="dues.tier_update", obj=tier, before={"每月团费（元）": before},
                 after={"每月团费（元）": str(value)})
    return tier


def amount_for(member, tiers=None):
    """What ``member`` owes a month by their reviewed figures (Decimal, 0 for Party members)."""
    if member.political_status in EXEMPT_POLITICAL:
        return Decimal("0.00")
    tiers = tiers if tiers is not None else {t.income: t for t in DuesTier.objects.all()}
    tier = tiers.get(member.income)
    return tier.amount if tier else Decimal("0.00")
