from django.conf import settings

from . import registry, shell as layout


def shell(request):
    """What the layouts print: the service pages' shell (portal.shell) on /manage/, the mobile ends'
    head and help address on /m/ (and on any page that renders their layout)."""
    actor = getattr(request, "actor", None)
    signed_in = actor is not None and actor.is_authenticated
    mobile_head, cadre_help, member_help = layout.mobile_head()
    context = {"portal_name": settings.WAGTAIL_SITE_NAME, "mobile_head": mobile_head,
               "help_url": cadre_help if request.path.startswith("/m/cadre/") else member_help}
    if request.path.startswith("/m/"):
        if signed_in:
            context.update(actor=actor, unread_count=registry.unread_count(actor))
        return context
    context["shell_head"] = layout.head_links()
    if not signed_in or not request.path.startswith("/manage/"):
        # An error page outside the service pages' session: the layout with the portal's name only.
        context["shell_header"] = layout.header_html(request, None, 0)
        return context
    menu = registry.menu_for(actor)
    unread = registry.unread_count(actor)
    context.update(actor=actor, menu=menu, unread_count=unread,
                   shell_header=layout.header_html(request, actor, unread),
                   shell_nav=layout.nav_html(actor, menu, request.path))
    return context
