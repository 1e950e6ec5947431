from django.apps import AppConfig


class OrgtreeConfig(AppConfig):
    name = "orgtree"
    verbose_name = "团组织"

    def ready(self):
        from portal.actors import ORG_ACTOR_KINDS

        from . import services  # noqa: F401 - registers audit actions
        from .capabilities import SUBORDINATES, menu_visible
        from portal.registry import MenuItem, register_menu_item

        for order, (label, url_name, quick, needs) in enumerate([
            ("直接下级组织", "orgtree:list", True, SUBORDINATES),
            ("查看组织树", "orgtree:tree", False, None),
            ("组织迁移", "orgtree:move", False, SUBORDINATES),
            ("组织资料", "orgtree:own", False, None),
        ]):
            register_menu_item(MenuItem("组织管理", label, url_name, ORG_ACTOR_KINDS, order=10 + order, quick=quick,
                                        visible=menu_visible(needs) if needs else None))
