"""Every read of the org tree, always through the actor's scope (DESIGN §4)."""

from django.db.models import Q

from portal.scope import get_in_scope, scoped

from .models import Organization

TREE_PAGE = 500  # children listed per node in the lazy tree
SEARCH_LIMIT = 50


def org_get(*, actor, pk):
    """One org inside the actor's subtree, else 404."""
    return get_in_scope(actor, Organization.objects.all(), pk=pk)


def org_get_by_code(*, actor, code):
    return get_in_scope(actor, Organization.objects.all(), code=(code or "").strip())


def org_children(*, actor, parent, org_type=None, name=None):
    """Direct children of ``parent`` (which must itself be in scope)."""
    qs = scoped(actor, Organization.objects.filter(depth=parent.depth + 1, path__startswith=parent.path))
    if org_type:
        qs = qs.filter(org_type=org_type)
    if name:
        qs = qs.filter(Q(full_name__contains=name) | Q(short_name__contains=name))
    return qs.order_by("path")


def org_search(*, actor, query, limit=SEARCH_LIMIT):
    """Orgs in scope whose full name contains ``query`` (index-backed on PostgreSQL: pg_trgm)."""
    query = (query or "").strip()
    if not query:
        return Organization.objects.none()
    return scoped(actor, Organization.objects.filter(full_name__contains=query)).order_by("depth", "path")[:limit]


def org_parent(org):
    if org.depth <= 1:
        return None
    return Organization.objects.filter(path=org.parent_path).first()


def org_ancestors(org):
    return Organization.objects.filter(path__in=org.ancestor_paths).order_by("depth")


def org_counts(org):
    """Children come from the node itself; descendants are one index range count."""
    descendants = Organization.objects.filter(path__startswith=org.path).count() - 1
    return {"children": org.numchild, "descendants": descendants}


def org_parents_for(orgs):
    """{parent_path: parent} for a page of orgs, in one query (no N+1)."""
    paths = {o.parent_path for o in orgs if o.depth > 1}
    return {p.path: p for p in Organization.objects.filter(path__in=paths)}
