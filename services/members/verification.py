"""Real-name verification (实名认证), pluggable.

A verifier is any object with ``verify(*, name, id_type, id_number) -> RealNameStatus`` (PASSED,
FAILED, or CHECKING when the service cannot answer now). ``settings.MEMBERS_REAL_NAME_VERIFIER``
names one by dotted path; tests call :func:`set_verifier`. Without one every registration is
未校验 and the branch may record 线下验证通过 after checking the person's ID card itself.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .choices import RealNameStatus

_override = None
_UNSET = object()


def set_verifier(verifier):
    """Install a verifier (or ``None`` for none); returns the previous one, for tests to restore."""
    global _override
    previous, _override = _override, verifier
    return previous


def get_verifier():
    if _override is not None:
        return _override
    path = getattr(settings, "MEMBERS_REAL_NAME_VERIFIER", "")
    return import_string(path)() if path else None


def check(*, name, id_type, id_number):
    verifier = get_verifier()
    if verifier is None:
        return RealNameStatus.UNCHECKED
    return RealNameStatus(verifier.verify(name=name, id_type=id_type, id_number=id_number))
