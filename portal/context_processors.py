from django.conf import settings

from . import registry


def shell(request):
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {"portal_name": settings.WAGTAIL_SITE_NAME}
    if request.path.startswith("/m/"):
        return {"portal_name": settings.WAGTAIL_SITE_NAME, "actor": actor, "unread_count": registry.unread_count(actor)}
    if not request.path.startswith("/manage/"):
        return {"portal_name": settings.WAGTAIL_SITE_NAME}
    menu = registry.menu_for(actor)
    return {
        "portal_name": settings.WAGTAIL_SITE_NAME,
        "actor": actor,
        "menu": menu,
        "sidebar": registry.sidebar_html(menu, request.path),
        "unread_count": registry.unread_count(actor),
    }
