"""Template filters of the shell every end shares."""

from django import template

from ..registry import BADGE_LIMIT

register = template.Library()


@register.filter
def badge(count):
    """A count on a badge or a to-do tile: 99 at most, then "99+" (the unread count stops counting there)."""
    return f"{BADGE_LIMIT}+" if count > BADGE_LIMIT else count
