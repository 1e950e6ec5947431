from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def org_actor_required(view):
    """Service pages: only org accounts and operators (with their org's powers)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.actor.acts_for_org:
            raise PermissionDenied("管理后台仅供组织管理员和运营者使用")
        return view(request, *args, **kwargs)

    return wrapper
