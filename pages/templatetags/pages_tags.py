from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("pages/tags/announcements.html")
def latest_announcements():
    """The service-page home's 公告 box: the latest six, with 更多 (reference §2.1.2)."""
    return {"announcements": selectors.latest_announcements()}
