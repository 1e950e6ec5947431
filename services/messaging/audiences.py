"""Who a broadcast reaches: audiences of a subtree, as querysets of logins.

The members and cadres apps replace the defaults below (``register_audience``) with queries over
their own records; a broadcast only needs ``User`` rows, so it never learns how they are found.
Each function takes an org and returns a ``User`` queryset; the fan-out compiles it into one
``INSERT … SELECT``.
"""

from portal.models import User

MEMBERS = "members"
CADRES = "cadres"

_AUDIENCES = {}


def register_audience(key, func):
    _AUDIENCES[key] = func


def audience_users(key, org):
    return _AUDIENCES[key](org)


def _logins_of_kind(kind):
    def users(org):
        return User.objects.filter(kind=kind, is_active=True, organization__path__startswith=org.path)

    return users


register_audience(MEMBERS, _logins_of_kind(User.Kind.MEMBER))
register_audience(CADRES, _logins_of_kind(User.Kind.CADRE))
