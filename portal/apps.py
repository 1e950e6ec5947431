from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "门户"

    def ready(self):
        from . import services  # noqa: F401 - registers audit actions
        from .actors import ORG_ACTOR_KINDS
        from .registry import MenuItem, register_menu_item

        register_menu_item(MenuItem("首页", "首页", "portal:home", ORG_ACTOR_KINDS, order=0))
        register_menu_item(MenuItem("系统管理", "修改密码", "portal:password_change", ORG_ACTOR_KINDS, order=90,
                                    quick=True))
        register_menu_item(MenuItem("系统管理", "操作日志", "portal:audit_list", ORG_ACTOR_KINDS, order=91,
                                    quick=True))
