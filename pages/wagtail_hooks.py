from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.cms import YesNoColumn

from .models import ServiceLink


class ServiceLinkViewSet(SnippetViewSet):
    """其他服务 on the member home: i志愿, 12355青年之声, 易展翅 …"""

    model = ServiceLink
    icon = "link-external"
    menu_label = "其他服务"
    menu_name = "service_links"
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["title", "url", "sort_order", YesNoColumn("enabled", label="显示")]
    copy_view_enabled = False


register_snippet(ServiceLinkViewSet)
