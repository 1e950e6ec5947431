"""A branch's own 查看分类统计 counts (reference §5.2), read live from its members and cadre records (a few
rows, one index range each): the nightly refresh stores :class:`CategoryStat` rows for committees only.
:func:`.selectors.category_counts` reads either."""

from django.db.models import Count

from . import definitions as d
from .models import Dimension


def branch_counts(branch, dimension):
    """{key: n} of the branch for one :class:`Dimension` (keys as in :class:`CategoryStat`)."""
    from services.cadres.models import CadrePost
    from services.members.models import Member

    industry = (branch.industry or 0) * 100
    if dimension == Dimension.ORGS:
        return {industry + branch.org_type: 1}
    if dimension == Dimension.CADRES:
        rows = CadrePost.objects.filter(org=branch).values("nature").annotate(n=Count("pk")).order_by()
        return {industry + r["nature"]: r["n"] for r in rows}
    members = Member.objects.filter(d.MEMBERS, branch=branch)
    if dimension == Dimension.MEMBERS:
        n = members.count()
        return {industry: n} if n else {}
    if dimension == Dimension.NEW_MEMBERS:
        from django.utils import timezone

        n = members.filter(joined_league__year=timezone.localdate().year - 1).count()
        return {industry: n} if n else {}
    field = {Dimension.EDUCATION: "highest_education", Dimension.INCOME: "income"}[dimension]
    rows = members.values(field).annotate(n=Count("pk")).order_by()
    return {r[field]: r["n"] for r in rows}
