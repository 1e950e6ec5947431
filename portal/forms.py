import copy
import secrets

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils.html import format_html
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from . import captcha, lockout
from .passwords import PASSWORD_RULE_TEXT

CAPTCHA_USERNAME_KEY = "login_captcha_username"  # show the CAPTCHA again when the login page is reopened


class CaptchaInput(forms.TextInput):
    """The answer box with the CAPTCHA image beside it (each render asks for a new image)."""

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, None, attrs, renderer)
        url = f"{reverse('portal:login_captcha')}?r={secrets.token_hex(4)}"
        return format_html('{} <img class="captcha" src="{}" alt="验证码" width="160" height="56">', html, url)


class LoginForm(AuthenticationForm):
    """Username and password; plus a CAPTCHA for a username with recent failures (portal.lockout)."""

    username = forms.CharField(label="用户名 / 手机号", max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    captcha = forms.CharField(label="验证码", required=False, max_length=8, help_text="请输入图中的4个字符（不区分大小写）",
                              widget=CaptchaInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    error_messages = {
        "invalid_login": "用户名或密码错误。忘记密码请联系直接上级组织重置。",
        "inactive": "该账号已停用，请联系直接上级组织。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "请输入用户名"
        self.fields["password"].error_messages["required"] = "请输入密码"
        self.fields["captcha"].required_when_shown = True
        username = self.data.get("username") if self.is_bound else self._remembered_username()
        if not (isinstance(username, str) and lockout.captcha_required(username.strip(), request)):
            del self.fields["captcha"]

    def _remembered_username(self):
        session = getattr(self.request, "session", None)
        return session.get(CAPTCHA_USERNAME_KEY) if session is not None else None

    def _show_captcha(self, username):
        if "captcha" not in self.fields:
            self.fields["captcha"] = copy.deepcopy(self.base_fields["captcha"])
            self.fields["captcha"].required_when_shown = True
        if self.request is not None and hasattr(self.request, "session"):
            self.request.session[CAPTCHA_USERNAME_KEY] = username

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and lockout.captcha_required(username, self.request):
            self._show_captcha(username)
            given = (self.data.get("captcha") or "").strip()
            if not captcha.check(self.request.session, given):  # refused before the password is checked
                self.add_error("captcha", captcha.ERR_CAPTCHA_WRONG if given else captcha.ERR_CAPTCHA_REQUIRED)
                return self.cleaned_data
            self.request.login_captcha_passed = True  # portal.lockout lets this attempt reach the password
        try:
            return super().clean()
        except forms.ValidationError:
            if username and lockout.captcha_required(username, self.request):  # this failure crossed the line
                self._show_captcha(username)
            raise


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput)
    new_password1 = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput,
                                    help_text=PASSWORD_RULE_TEXT)
    new_password2 = forms.CharField(label="确认新密码", strip=False, widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = f"请输入{field.label}"

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("原密码不正确")
        return value

    def clean(self):
        cleaned = super().clean()
        new1, new2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new1 and new2:
            if new1 != new2:
                self.add_error("new_password2", "两次输入的新密码不一致")
            elif new1 == cleaned.get("old_password"):
                self.add_error("new_password1", "新密码不能与原密码相同")
            else:
                try:
                    password_validation.validate_password(new1, self.user)
                except forms.ValidationError as exc:
                    self.add_error("new_password1", exc)
        return cleaned


def add_service_errors(form, exc):
    """Show a service's ValidationError on the form: keyed errors on their fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class CmsLoginForm(WagtailLoginForm):
    """The CMS login (WAGTAILADMIN_USER_LOGIN_FORM): Wagtail's form leaves the password field without a
    label, so Django shows its field name, "Password", which no catalogue translates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.error_messages = {**self.error_messages, **LoginForm.error_messages}
