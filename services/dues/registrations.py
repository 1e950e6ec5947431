"""What the dues app registers with the rest of the project, from ``DuesConfig.ready()``."""


def register_all():
    from django.urls import reverse

    from orgtree.capabilities import SUBORDINATES, menu_visible
    from portal.actors import ORG_ACTOR_KINDS
    from portal.registry import NOT_ON_MOBILE, MenuItem, Todo, register_menu_item, register_todo
    from services.members import aging

    from . import billing, offline, retention, selectors, tiers  # noqa: F401 - audit actions

    # The one arrears hook: the 满28 job holds back, and a transfer refuses, members who owe.
    aging.register_arrears(billing.arrears_q)

    is_province = lambda actor: tiers.is_province(actor.org)  # noqa: E731
    for label, url_name, order, visible in (
        ("团费查询", "dues:query", 50, None),
        ("团费留存", "dues:retention", 51, None),
        ("团费留存设置", "dues:retention_settings", 52, menu_visible(SUBORDINATES)),
        ("交费设置", "dues:tiers", 53, is_province),
    ):
        register_menu_item(MenuItem("团费管理", label, url_name, ORG_ACTOR_KINDS, order=order, quick=order == 50,
                                    visible=visible))
    register_todo(Todo(key="dues.overdue", label="欠交团费6个月及以上（需线下交纳）", count=selectors.overdue,
                       url=lambda actor: reverse("dues:query") + "?overdue=1", mobile_url=NOT_ON_MOBILE, order=60))
