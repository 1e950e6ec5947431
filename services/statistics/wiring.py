"""What the statistics app registers with the shell (called from AppConfig.ready)."""


def connect():
    from portal.actors import ORG_ACTOR_KINDS
    from portal.registry import MenuItem, register_menu_item

    from . import downloads  # noqa: F401 - registers the export job and its audit action

    register_menu_item(MenuItem("组织管理", "数据统计", "statistics:overview", ORG_ACTOR_KINDS, order=20))
    register_menu_item(MenuItem("组织管理", "转接数据统计", "statistics:transfers", ORG_ACTOR_KINDS, order=21))
