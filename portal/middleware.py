from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .actors import actor_for_user, client_ip


class ActorMiddleware:
    """Sets ``request.actor`` (lazily) for every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for_user(request.user, client_ip(request)))
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A login holding a one-time password may do nothing but change it (or log out)."""

    EXEMPT_URL_NAMES = ("portal:password_change", "portal:logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            exempt = [reverse(name) for name in self.EXEMPT_URL_NAMES]
            if request.path not in exempt and not request.path.startswith("/static/"):
                return redirect("portal:password_change")
        return self.get_response(request)


ERR_NUL = "请求中含有非法字符（空字符），请检查输入内容后重试"


class RefuseNulMiddleware:
    """A NUL character in a query string or form field can never be stored or searched (PostgreSQL
    refuses it in text) and no person types one: answer 400 with the reason before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import BadRequest

        sources = [request.GET]
        if request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.POST)
        for data in sources:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest(ERR_NUL)
        if "\x00" in request.path:
            raise BadRequest(ERR_NUL)
        return self.get_response(request)
