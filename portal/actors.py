"""Who a request acts as (DESIGN §4).

A login acts as one actor: ``org_admin(org)``, ``operator(org)``, ``cadre`` or ``member``.
Apps that bring new kinds of login (cadres, members) register a resolver for their
``User.Kind``; the resolver turns a user into an :class:`Actor`.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from .models import User
from .prepared import prepared

ORG_ADMIN = "org_admin"
OPERATOR = "operator"
CADRE = "cadre"
MEMBER = "member"
STAFF = "staff"
ANONYMOUS = "anonymous"

KIND_LABELS = {
    ORG_ADMIN: "管理员",
    OPERATOR: "运营者",
    CADRE: "团干",
    MEMBER: "团员",
    STAFF: "系统管理员",
    ANONYMOUS: "访客",
}

#: Actor kinds that act for an org in the service pages, with the org's full powers.
ORG_ACTOR_KINDS = frozenset({ORG_ADMIN, OPERATOR})


@dataclass(frozen=True)
class Actor:
    kind: str
    user: Any = None
    org: Any = None  # the Organization the actor acts for
    label: str = ""  # how the audit log shows the actor
    ip: str | None = None
    extra: dict = field(default_factory=dict, compare=False)  # e.g. the cadre or member record

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def acts_for_org(self):
        """Org accounts and operators work the service pages with the org's powers."""
        return self.kind in ORG_ACTOR_KINDS and self.org is not None

    @property
    def is_authenticated(self):
        return self.kind != ANONYMOUS

    def require_org_actor(self):
        if not self.acts_for_org:
            raise PermissionDenied("只有组织管理员或运营者可以进行此操作")

    def with_ip(self, ip):
        return Actor(self.kind, self.user, self.org, self.label, ip, self.extra)


ANONYMOUS_ACTOR = Actor(kind=ANONYMOUS)

_RESOLVERS = {}


def register_actor_resolver(user_kind):
    """Decorator: ``@register_actor_resolver(User.Kind.CADRE) def resolve(user): ...``."""

    def decorator(func):
        _RESOLVERS[user_kind] = func
        return func

    return decorator


@prepared
def _org_by_pk(pk):
    return User.organization.field.related_model.objects.filter(pk=pk)


def login_org(user):
    """The login's organization, read by a prepared query: every page of an org account asks for it,
    and compiling the descriptor's query cost more than running it (issue 16)."""
    if user.organization_id is None or User.organization.is_cached(user):
        return user.organization
    org = _org_by_pk.first(user.organization_id)
    if org is not None:
        user.organization = org
    return user.organization


@register_actor_resolver(User.Kind.ORG)
def _resolve_org_account(user):
    org = login_org(user)
    return Actor(kind=ORG_ADMIN, user=user, org=org, label=f"{org.full_name} 管理员")


@register_actor_resolver(User.Kind.OPERATOR)
def _resolve_operator(user):
    # The cadres app replaces this with one that adds the operator's 职位标签.
    org = user.organization
    return Actor(kind=OPERATOR, user=user, org=org, label=f"{org.full_name} 运营者 {user.get_full_name()}".strip())


@register_actor_resolver(User.Kind.MEMBER)
def _resolve_member(user):
    # The members app replaces this with one that carries the member record; until then the
    # login's organization is the member's branch.
    return Actor(kind=MEMBER, user=user, org=user.organization, label=f"团员 {user.get_full_name()}".strip())


@register_actor_resolver(User.Kind.CADRE)
def _resolve_cadre(user):
    # The cadres app replaces this with one that knows the chosen working identity.
    return Actor(kind=CADRE, user=user, org=user.organization, label=f"团干 {user.get_full_name()}".strip())


@register_actor_resolver(User.Kind.STAFF)
def _resolve_staff(user):
    return Actor(kind=STAFF, user=user, label=f"系统管理员 {user.get_username()}")


def actor_for_user(user, ip=None):
    if user is None or not user.is_authenticated:
        return ANONYMOUS_ACTOR
    resolver = _RESOLVERS.get(user.kind)
    actor = resolver(user) if resolver else None
    if actor is None:
        return ANONYMOUS_ACTOR
    return actor.with_ip(ip) if ip else actor


def client_ip(request):
    # Behind the production proxy REMOTE_ADDR is set by the WSGI server from the trusted proxy.
    return request.META.get("REMOTE_ADDR")
