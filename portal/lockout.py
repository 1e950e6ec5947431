"""Login lockout that cannot be turned into a denial of service (DESIGN §5 "Lockout").

Org IDs are sequential and public, so a lock by username alone would let one script keep every
org account of the province locked. The rule instead:

1. **(username, IP) pair** — ``AXES_FAILURE_LIMIT`` (5) failures from one client address lock that
   username *from that address* for ``AXES_COOLOFF_TIME`` (30 minutes). The guesser is stopped;
   the account's owner elsewhere is not.
2. **CAPTCHA** — once a username has ``LOGIN_CAPTCHA_AFTER`` (3) failures from anywhere in the
   cool-off window, every login for it must first answer a server-side CAPTCHA
   (``portal.captcha``). A wrong or missing answer is refused before the password is checked and is
   not counted, so a script cannot add failures without solving CAPTCHAs.
3. **Username-wide lock** — only at ``LOGIN_USERNAME_LOCK_AFTER`` (50) failures from anywhere in the
   window (each past the CAPTCHA, at most 5 per address) is the username locked everywhere.

Logins that cannot show a CAPTCHA (the CMS and Django admin login pages) are refused for a
username that needs one; attempts refused while locked are not counted either
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so a locked client cannot push the
username-wide count. A parent's password reset clears every count for the account.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

LOCKED_PAIR = "pair"
LOCKED_USERNAME = "username"
NEEDS_CAPTCHA = "captcha"


def normalise_username(request, credentials=None):
    """The username axes counts under: as the login backends see it (surrounding spaces stripped)."""
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "POST", {}).get("username")
    return value.strip() if isinstance(value, str) else value


def _recent(request=None):
    attempt_time = getattr(request, "axes_attempt_time", None) or timezone.now()
    return AccessAttempt.objects.filter(attempt_time__gte=attempt_time - settings.AXES_COOLOFF_TIME)


def username_failures(username, request=None):
    """Failures for the username from every address within the cool-off window."""
    if not username:
        return 0
    return _recent(request).filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0


def pair_failures(username, ip, request=None):
    if not username:
        return 0
    return _recent(request).filter(username=username, ip_address=ip).aggregate(
        n=Sum("failures_since_start"))["n"] or 0


def captcha_required(username, request=None):
    return username_failures(username, request) >= settings.LOGIN_CAPTCHA_AFTER


def lock_state(request, credentials=None):
    """Why a login for these credentials from this request is refused, or None."""
    username = get_client_username(request, credentials)
    if not username:
        return None
    failures = username_failures(username, request)
    if failures >= settings.LOGIN_USERNAME_LOCK_AFTER:
        return LOCKED_USERNAME
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    if pair_failures(username, ip, request) >= settings.AXES_FAILURE_LIMIT:
        return LOCKED_PAIR
    if failures >= settings.LOGIN_CAPTCHA_AFTER and not getattr(request, "login_captcha_passed", False):
        return NEEDS_CAPTCHA
    return None


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, counting pairs as configured plus the username-wide rules above."""

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or lock_state(request, credentials) is not None

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False):
            if username_failures(get_client_username(request, credentials), request) >= \
                    settings.LOGIN_USERNAME_LOCK_AFTER:
                request.axes_locked_out = True
                request.axes_credentials = credentials
