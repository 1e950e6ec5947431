"""``{% org_stat_card org %}``: the org detail page's 统计数据 (manual 查看组织树 tip), from the org's newest
statistics row — orgtree includes it without knowing the statistics app's internals."""

from django import template
from django.urls import reverse

from .. import selectors

register = template.Library()


@register.inclusion_tag("statistics/_org_card.html")
def org_stat_card(org):
    stat = selectors.latest_stat(org)
    link = f"{reverse('statistics:overview')}?org={org.pk}&month={stat.month:%Y-%m}" if stat else ""
    # a row is rewritten only when a figure changes: the month's last refresh says how fresh it is
    updated = selectors.updated_at(stat.month, [stat]) if stat else None
    return {"org": org, "stat": stat, "link": link, "updated_at": updated}
