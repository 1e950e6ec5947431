from django.contrib.auth.backends import ModelBackend

from orgtree.validators import is_mobile

from .models import User


class AccountBackend(ModelBackend):
    """Org accounts log in with their org code; operators with their phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        username = username.strip()
        if is_mobile(username):
            user = User.objects.filter(phone=username, kind=User.Kind.OPERATOR).first()
        else:
            user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # equalise timing with a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class WeChatBackend(ModelBackend):
    """Logins that arrive through WeChat OAuth (or the development login standing in for it).

    The identity is checked by the OAuth callback, never from a password; this backend only
    restores the user from the session, so ``authenticate`` never accepts anything.
    """

    def authenticate(self, request, **kwargs):
        return None
