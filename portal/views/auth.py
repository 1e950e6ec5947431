from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .. import captcha, lockout
from ..forms import CAPTCHA_USERNAME_KEY, LoginForm, PasswordChangeForm
from ..services import account_change_password

LOCKOUT_MESSAGE = ("登录失败次数过多，该账号在本网络地址已被锁定30分钟。请稍后再试，或联系直接上级组织重置密码；"
                   "在其他网络登录不受影响。")
LOCKOUT_USERNAME_MESSAGE = "该账号近期在多处登录失败次数过多，已暂停登录30分钟。请联系直接上级组织重置密码。"
LOCKOUT_CAPTCHA_MESSAGE = "该账号近期登录失败次数较多，请从管理后台登录页登录并输入验证码。"
LOCKOUT_MESSAGES = {lockout.LOCKED_PAIR: LOCKOUT_MESSAGE, lockout.LOCKED_USERNAME: LOCKOUT_USERNAME_MESSAGE,
                    lockout.NEEDS_CAPTCHA: LOCKOUT_CAPTCHA_MESSAGE}


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this when a login is refused by portal.lockout: which lock, in Chinese."""
    state = lockout.lock_state(request, credentials) or lockout.LOCKED_PAIR
    return render(request, "registration/login.html",
                  {"form": LoginForm(request), "lockout_message": LOCKOUT_MESSAGES[state]}, status=429)


@require_GET
def login_captcha(request):
    """The login CAPTCHA image; a new challenge for this session each time.

    Only for a session whose login form has asked for a CAPTCHA: the image is never what creates a
    session, so it cannot be used to fill the session table.
    """
    if CAPTCHA_USERNAME_KEY not in request.session:
        raise Http404
    response = HttpResponse(captcha.new_image(request.session), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_change_password(actor=request.actor, user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码修改成功")
        if not request.actor.acts_for_org and request.user.has_perm("wagtailadmin.access_admin"):
            return redirect("wagtailadmin_home")  # a CMS login goes back to the CMS
        return redirect("portal:home")
    return render(request, "manage/password_change.html", {"form": form, "forced": request.user.must_change_password})
