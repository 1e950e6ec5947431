"""What an org's type lets it use (DESIGN §5 org types, reference §1.2a).

A 团支部 is always a leaf: it has no subordinate orgs to list, move or whose cadres to see, and it is
never the direct parent that reviews 团籍 changes. Menus hide what the type can never use
(:func:`menu_visible`) and the pages refuse it (:func:`capability_required`), with the same reason.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

#: Works on subordinate orgs: 直接下级组织, 组织迁移, 所有下级团干, 团籍变更/删除审核.
SUBORDINATES = "subordinates"

REASONS = {
    SUBORDINATES: "团支部没有下级组织，不能使用此功能",
}


def org_can(org, capability):
    if capability == SUBORDINATES:
        return org is not None and not org.is_branch
    raise ValueError(f"unknown capability {capability!r}")


def menu_visible(capability):
    """For :class:`portal.registry.MenuItem` ``visible``: show the entry only to orgs that can use it."""
    return lambda actor: org_can(actor.org, capability)


def capability_required(capability):
    """Below ``org_actor_required``: refuse the page, with the reason, to an org whose type cannot use it."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not org_can(request.actor.org, capability):
                raise PermissionDenied(REASONS[capability])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
