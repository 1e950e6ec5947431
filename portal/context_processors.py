from django.conf import settings

from . import registry, shell as layout


def shell(request):
    actor = getattr(request, "actor", None)
    if request.path.startswith("/m/") and actor is not None and actor.is_authenticated:
        return {"portal_name": settings.WAGTAIL_SITE_NAME, "actor": actor, "unread_count": registry.unread_count(actor)}
    if actor is None or not actor.is_authenticated or not request.path.startswith("/manage/"):
        # An error page outside the service pages' session: the layout with the portal's name only.
        return {"portal_name": settings.WAGTAIL_SITE_NAME, "shell_head": layout.head_links(),
                "shell_header": layout.header_html(request, None, 0)}
    menu = registry.menu_for(actor)
    unread = registry.unread_count(actor)
    return {
        "portal_name": settings.WAGTAIL_SITE_NAME,
        "actor": actor,
        "menu": menu,
        "unread_count": unread,
        "shell_head": layout.head_links(),
        "shell_header": layout.header_html(request, actor, unread),
        "shell_nav": layout.nav_html(actor, menu, request.path),
    }
