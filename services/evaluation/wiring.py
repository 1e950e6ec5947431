"""What the evaluation app registers with the shell (called from AppConfig.ready)."""


def connect():
    from portal.actors import ORG_ACTOR_KINDS
    from portal.registry import MenuItem, register_menu_item

    from . import services  # noqa: F401 - registers the audit actions

    is_branch = lambda actor: actor.org is not None and actor.org.is_branch  # noqa: E731
    for label, url_name, order, visible in (
        ("教育评议", "evaluation:grades", 63, is_branch),
        ("年度注册进度", "evaluation:progress", 64, None),
        ("评议不合格团员（暂缓注册）", "evaluation:deferred", 65, None),
        ("成长档案", "evaluation:branch_archive", 66, None),
    ):
        register_menu_item(MenuItem("奖惩管理", label, url_name, ORG_ACTOR_KINDS, order=order, visible=visible))
