"""``{% org_dues_card org %}``: the org detail page's 团费交纳情况 (manual 查看组织树 tip), from this
month's statistics row — orgtree includes it without knowing the dues app's internals."""

from django import template

from ..forms import this_month
from .. import selectors

register = template.Library()


@register.inclusion_tag("dues/_org_card.html")
def org_dues_card(org):
    month = this_month()
    return {"org": org, "month": month, "stat": selectors.org_dues_card(org, month)}
