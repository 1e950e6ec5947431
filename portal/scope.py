"""Scope = the actor's org subtree (DESIGN §4). Every selector goes through here.

An object outside scope is a 404, never a 403 that would confirm it exists.
"""

from django.db.models import Q
from django.http import Http404

from .params import int_or_none


def scope_q(actor, org_field=None):
    """A Q limiting rows to the actor's subtree.

    ``org_field`` is the path to the Organization from the queried model
    (``None`` when the queryset is of Organizations themselves).
    """
    if not actor.acts_for_org:
        return Q(pk__in=[])
    lookup = "path__startswith" if org_field is None else f"{org_field}__path__startswith"
    return Q(**{lookup: actor.org.path})


def scoped(actor, queryset, org_field=None):
    return queryset.filter(scope_q(actor, org_field))


def get_in_scope(actor, queryset, org_field=None, **lookup):
    """Fetch one object through the scoped queryset: 404 when absent or out of scope."""
    try:
        return scoped(actor, queryset, org_field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该记录") from None


def one_in_scope(actor, query, pk):
    """The row a prepared ``query(pk, scope_path)`` (portal.prepared) finds in the actor's subtree: 404
    when absent or out of scope, as :func:`get_in_scope`."""
    pk = int_or_none(pk)  # a malformed or out-of-range id, as one that is absent
    if not actor.acts_for_org or pk is None:
        raise Http404("未找到该记录")
    row = query.first(pk, actor.org.path)
    if row is None:
        raise Http404("未找到该记录")
    return row
