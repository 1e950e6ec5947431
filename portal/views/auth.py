from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ..forms import LoginForm, PasswordChangeForm
from ..services import account_change_password

LOCKOUT_MESSAGE = "登录失败次数过多，该账号已被锁定30分钟。请稍后再试，或联系直接上级组织重置密码。"


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this when a username is locked out."""
    return render(request, "registration/login.html", {"form": LoginForm(request), "lockout_message": LOCKOUT_MESSAGE},
                  status=429)


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
