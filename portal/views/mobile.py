"""The two mobile ends and their WeChat logins (DESIGN §1, §4).

Members enter through the official account (``/m/``), cadres through WeChat Work (``/m/cadre/``).
Both log in by OAuth ``snsapi_base``: the callback checks ``state`` against the session, turns the
code into an openid/userid and logs in the :class:`~portal.models.WeChatIdentity`'s user. An
unknown identity is remembered in the session and sent on to registration (members) or the join
page (cadres). The development login feeds the same last step with an identity typed by hand and
exists only when ``DEV_LOGIN_ENABLED``.
"""

import logging
import secrets
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from wechatpy.exceptions import WeChatException

from .. import actors, registry, wechat
from ..models import WeChatIdentity

logger = logging.getLogger(__name__)

BACKEND = "portal.backends.WeChatBackend"
SESSION_OAUTH = "wechat_oauth"  # {"kind", "state", "next"} while the user is away at WeChat
SESSION_PENDING = "wechat_pending"  # {"kind", "id"}: a WeChat identity not yet tied to a login

ERR_STATE = "登录请求已失效或来源不明，请从公众号/企业号菜单重新进入。"
ERR_WECHAT = "微信授权失败，请稍后重试。"
ERR_DISABLED = "微信登录尚未开通，请联系管理员。"
ERR_INACTIVE = "该账号已被停用，请联系所在组织。"
ERR_MEMBER_ONLY = "该页面仅供团员使用"
ERR_CADRE_ONLY = "该页面仅供团干使用"

END = {
    # kind -> (login url name, home url name, where an unknown identity goes)
    WeChatIdentity.Kind.MP: ("mobile:member_login", "mobile:member_home", "mobile:member_register"),
    WeChatIdentity.Kind.WORK: ("mobile:cadre_login", "mobile:cadre_home", "mobile:cadre_join"),
}
CADRE_END_KINDS = frozenset({actors.CADRE, actors.OPERATOR})


def _end_required(actor_kinds, identity_kind, refusal):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                login_url = reverse(END[identity_kind][0])
                return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
            if request.actor.kind not in actor_kinds:
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


member_required = _end_required({actors.MEMBER}, WeChatIdentity.Kind.MP, ERR_MEMBER_ONLY)
cadre_required = _end_required(CADRE_END_KINDS, WeChatIdentity.Kind.WORK, ERR_CADRE_ONLY)


def _safe_next(request, candidate, fallback):
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse(fallback)


def _refuse(request, message, status=400):
    return render(request, "mobile/login_error.html", {"message": message}, status=status)


def _start_oauth(request, kind):
    if not (wechat.mp_enabled() if kind == WeChatIdentity.Kind.MP else wechat.work_enabled()):
        if settings.DEV_LOGIN_ENABLED:
            dev = "mobile:member_dev_login" if kind == WeChatIdentity.Kind.MP else "mobile:cadre_dev_login"
            return redirect(f"{reverse(dev)}?{urlencode({'next': request.GET.get('next', '')})}")
        return _refuse(request, ERR_DISABLED, status=503)
    state = secrets.token_urlsafe(16)
    request.session[SESSION_OAUTH] = {"kind": kind, "state": state, "next": request.GET.get("next", "")}
    callback = request.build_absolute_uri(reverse(
        "mobile:member_callback" if kind == WeChatIdentity.Kind.MP else "mobile:cadre_callback"))
    if kind == WeChatIdentity.Kind.MP:
        return redirect(wechat.mp_oauth(callback, state).authorize_url)
    return redirect(wechat.work_authorize_url(callback, state))


def _oauth_callback(request, kind):
    pending = request.session.pop(SESSION_OAUTH, None)
    state, code = request.GET.get("state", ""), request.GET.get("code", "")
    if not pending or pending.get("kind") != kind or not state or not constant_time_compare(state, pending["state"]):
        return _refuse(request, ERR_STATE)
    if not code:
        return _refuse(request, ERR_WECHAT)
    try:
        if kind == WeChatIdentity.Kind.MP:
            callback = request.build_absolute_uri(reverse("mobile:member_callback"))
            external_id = wechat.mp_openid_for_code(callback, code)
        else:
            external_id = wechat.work_userid_for_code(code)
    except (WeChatException, OSError) as exc:
        logger.warning("WeChat OAuth (%s) failed: %s", kind, exc)
        return _refuse(request, ERR_WECHAT, status=502)
    if not external_id:
        return _refuse(request, ERR_WECHAT, status=502)
    return _complete_login(request, kind, external_id, pending.get("next", ""))


def _complete_login(request, kind, external_id, next_url):
    """The last step of every WeChat login, real or development."""
    identity = WeChatIdentity.objects.select_related("user").filter(kind=kind, external_id=external_id).first()
    _, home, unknown = END[kind]
    if identity is None:
        if request.user.is_authenticated:
            auth.logout(request)
        request.session[SESSION_PENDING] = {"kind": kind, "id": external_id}
        return redirect(unknown)
    if not identity.user.is_active:
        return _refuse(request, ERR_INACTIVE, status=403)
    auth.login(request, identity.user, backend=BACKEND)
    if kind == WeChatIdentity.Kind.WORK:  # every entry into WeChat Work goes through its steps first
        start, target = reverse("mobile:cadre_start"), _safe_next(request, next_url, home)
        return redirect(f"{start}?{urlencode({'next': target})}" if target != reverse(home) else start)
    return redirect(_safe_next(request, next_url, home))


def pending_identity(request, kind):
    """The WeChat identity a registration or join page works for, or None."""
    pending = request.session.get(SESSION_PENDING)
    return pending["id"] if pending and pending.get("kind") == kind else None


# --- members (公众号) -------------------------------------------------------------------------

def member_login(request):
    return _start_oauth(request, WeChatIdentity.Kind.MP)


def member_callback(request):
    return _oauth_callback(request, WeChatIdentity.Kind.MP)


@member_required
def member_home(request):
    return render(request, "mobile/member_home.html")


# --- cadres (企业号) --------------------------------------------------------------------------

def cadre_login(request):
    return _start_oauth(request, WeChatIdentity.Kind.WORK)


def cadre_callback(request):
    return _oauth_callback(request, WeChatIdentity.Kind.WORK)


@cadre_required
def cadre_home(request):
    """团干端首页 (reference §2.3): the identity card, to-dos that can be done here, and the blocks
    团员管理 / 团干管理 / 组织管理 / 即时通讯. Every link stays on the cadre end: a desktop page
    opened inside WeChat Work is unusable."""
    actor = request.actor
    return render(request, "mobile/cadre_home.html", {
        "todos": registry.todos_for(actor, mobile=True),
        # the branch reviews its members (reference §1.2: 资料审核 only for a 团支部's operator)
        "may_review": actor.acts_for_org and actor.org.is_branch,
    })


# --- both -------------------------------------------------------------------------------------

@require_POST
def logout(request):
    was_cadre = request.actor.kind in CADRE_END_KINDS
    auth.logout(request)
    return render(request, "mobile/logged_out.html", {"login_url": reverse(
        "mobile:cadre_login" if was_cadre else "mobile:member_login")})


def _dev_login(request, kind):
    if not settings.DEV_LOGIN_ENABLED:
        raise Http404
    error = ""
    if request.method == "POST":
        external_id = request.POST.get("external_id", "").strip()
        if external_id:
            return _complete_login(request, kind, external_id, request.POST.get("next", ""))
        error = "请输入微信身份标识"
    identities = (WeChatIdentity.objects.filter(kind=kind, user__is_active=True)
                  .select_related("user", "user__organization").order_by("id")[:50])
    return render(request, "mobile/dev_login.html", {
        "kind": kind, "identities": identities, "error": error, "next": request.GET.get("next", ""),
        "label": "公众号 openid" if kind == WeChatIdentity.Kind.MP else "企业号 userid",
    })


def member_dev_login(request):
    return _dev_login(request, WeChatIdentity.Kind.MP)


def cadre_dev_login(request):
    return _dev_login(request, WeChatIdentity.Kind.WORK)
