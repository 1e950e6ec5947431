"""Every read of members, always through the actor's scope (DESIGN §4, §7).

我的团员 pages by keyset (``id < cursor``, newest first) and never counts: at the province's root a
page is the first rows of the pk index that pass the filters, so page 1 and page 100 cost the same.
"""

from datetime import date


from orgtree.selectors import search_query_problem
from portal.idcard import normalize
from portal.params import int_or_none
from portal.prepared import prepared
from portal.scope import one_in_scope, scoped

from . import aging
from .choices import RegistrationStatus, RequestState
from .models import Member, MemberRequest
from .registration import eligible_branches

PAGE_SIZE = 20
EXPORT_LIMIT = 10_000  # reference §8: exports are bounded
BRANCH_SEARCH_LIMIT = 20
LIST_FIELDS = ("id", "name", "id_type", "id_number", "phone", "political_status", "education", "occupation",
               "member_number", "registration_status", "real_name_status", "league_status", "deletion_state",
               "submitted_at", "reviewed_at", "branch__full_name", "birth_date")


def members_in_scope(actor):
    return scoped(actor, Member.objects.filter(deleted_at__isnull=True), org_field="branch")


def filter_lookups(filters, today=None):
    """The filters of 我的团员 (reference §2.1.5a) as (lookup, value) pairs, values normalized; each has
    an index. Without a registration-status filter, withdrawn 报到 are left out."""
    f = filters or {}
    pairs = []
    for name in ("registration_status", "real_name_status", "deletion_state"):
        if f.get(name) not in (None, ""):
            pairs.append((name, int(f[name])))
    if f.get("league_status") not in (None, ""):
        value = f["league_status"]
        pairs.append(("league_status__in", tuple(value)) if isinstance(value, (list, tuple))
                     else ("league_status", int(value)))
    for name in ("name", "member_number", "phone"):
        if f.get(name):
            pairs.append((name, f[name].strip()))
    if f.get("id_number"):
        pairs.append(("id_number", normalize(f["id_number"])))
    if f.get("aged_28"):
        pairs.append(("birth_date__lte", aging.birthday_cutoff(today or date.today())))
    return pairs


def _filtered(qs, lookups, values):
    if "registration_status" not in lookups:
        qs = qs.exclude(registration_status=RegistrationStatus.WITHDRAWN)
    return qs.filter(**dict(zip(lookups, values)))


def apply_filters(qs, filters, today=None):
    pairs = filter_lookups(filters, today)
    return _filtered(qs, [lookup for lookup, _ in pairs], [value for _, value in pairs])


@prepared
def _member_rows(scope, *values, lookups, after, limit, leaf):
    """A page of 我的团员, compiled once per set of filters: the page's main cost was compiling it.
    ``scope`` is the actor's org path, or for an org without children (a branch) its id: its subtree is
    itself, and ``member_branch_list`` gives the branch's newest members without reading all of them."""
    where = {"branch_id": scope} if leaf else {"branch__path__startswith": scope}
    qs = _filtered(Member.objects.filter(deleted_at__isnull=True, **where), lookups, values[:len(lookups)])
    if after:
        qs = qs.filter(pk__lt=values[-1])
    return qs.select_related("branch").only(*LIST_FIELDS).order_by("-id")[:limit]


def member_page(*, actor, filters=None, after=None, limit=PAGE_SIZE):
    """One page of 我的团员: (rows, next cursor or None)."""
    cursor = int_or_none(after)  # a malformed cursor is the first page
    pairs = filter_lookups(filters)
    values = [value for _, value in pairs]
    if not actor.acts_for_org:
        rows = []
    elif not any(isinstance(v, tuple) for v in values):
        leaf = actor.org.numchild == 0
        rows = _member_rows(actor.org.pk if leaf else actor.org.path, *values,
                            *([cursor] if cursor is not None else []), lookups=tuple(lookup for lookup, _ in pairs),
                            after=cursor is not None, limit=limit + 1, leaf=leaf)
    else:  # a list of 团籍状态 (its length is the SQL's shape): the ORM's own way
        qs = apply_filters(members_in_scope(actor), filters)
        if cursor is not None:
            qs = qs.filter(pk__lt=cursor)
        rows = list(qs.select_related("branch").only(*LIST_FIELDS).order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


def member_export_rows(*, actor, filters=None):
    qs = apply_filters(members_in_scope(actor), filters)
    return qs.select_related("branch").order_by("-id")[:EXPORT_LIMIT]


@prepared
def _member_in_scope(pk, scope_path):
    return Member.objects.filter(pk=pk, deleted_at__isnull=True, branch__path__startswith=scope_path).select_related(
        "branch", "user")


def member_get(*, actor, pk):
    """One member inside the actor's subtree, else 404."""
    return one_in_scope(actor, _member_in_scope, pk)


@prepared
def _latest_requests(member_id):
    return MemberRequest.objects.filter(member_id=member_id).order_by("-id")[:10]


def latest_requests(member):
    """团员详情's 申请记录: the member's ten latest requests."""
    return _latest_requests(member.pk)


def members_by_ids(*, actor, ids):
    """The chosen members inside the actor's subtree, by id (ids outside it are simply absent)."""
    return {m.pk: m for m in members_in_scope(actor).filter(pk__in=ids).select_related("branch", "user")}


def pending_review(actor):
    """报到 and 资料修改 awaiting this branch (index member_branch_reg_status); None above the branches."""
    if not actor.acts_for_org or not actor.org.is_branch:
        return None
    return Member.objects.filter(branch=actor.org, deleted_at__isnull=True, registration_status__in=[
        RegistrationStatus.PENDING, RegistrationStatus.CHANGE_PENDING])


def requests_to_review(actor):
    if not actor.acts_for_org:
        return MemberRequest.objects.none()
    return (MemberRequest.objects.filter(reviewer=actor.org, state=RequestState.PENDING)
            .select_related("member", "branch").order_by("-id"))


def request_get(*, actor, pk):
    """A request the actor reviews or (as an ancestor of the branch) may see; else 404."""
    qs = MemberRequest.objects.select_related("member", "branch", "reviewer").prefetch_related("attachments")
    try:
        request = qs.get(pk=pk)
    except (MemberRequest.DoesNotExist, ValueError):
        from django.http import Http404

        raise Http404("未找到该记录") from None
    if not actor.acts_for_org or not (request.reviewer_id == actor.org.pk
                                      or request.branch.path.startswith(actor.org.path)):
        from django.http import Http404

        raise Http404("未找到该记录")
    return request


def held_back_in_scope(*, actor, as_of):
    return scoped(actor, aging.held_back(as_of), org_field="branch").select_related("branch").order_by("-id")[:500]


def branch_search(query):
    """团支部s of the province by 组织ID (exact) or full name (contains); vague names find nothing."""
    query = (query or "").strip()
    if not query:
        return []
    branches = eligible_branches().only("id", "code", "full_name", "path", "org_type")
    if query.isdigit():
        return list(branches.filter(code=query)[:1])
    if search_query_problem(query):
        return []
    return list(branches.filter(full_name__contains=query).order_by("full_name")[:BRANCH_SEARCH_LIMIT])


def branch_by_code(code):
    return eligible_branches().filter(code=(code or "").strip()).first()


def restore_targets(*, actor, query):
    """Branches of the actor's subtree to restore a member into, by 组织ID or full name."""
    return [b for b in branch_search(query) if b.path.startswith(actor.org.path)]


def member_of_user(user):
    """The live member record of a login, or None."""
    if user is None or not user.is_authenticated:
        return None
    return _member_of_login.first(user.pk)


@prepared
def _member_of_login(user_id):
    """Every page of the member end asks for it: prepared (its compilation cost more than the query)."""
    return Member.objects.filter(user_id=user_id, deleted_at__isnull=True).select_related("branch").order_by("pk")[:1]


def branch_cadres(branch):
    """The branch's cadres for 我的组织 (the cadres app's records, when it has any)."""
    try:
        from services.cadres.models import CadrePost
    except ImportError:  # pragma: no cover - cadres app absent
        return []
    return list(CadrePost.objects.filter(org=branch, enabled=True).select_related("person")
                .order_by("id")[:50])


# --- the cadre end: 团员查询 for every cadre of the working org (ordinary cadres read only) ------

def cadre_end_members(actor):
    """Members of the working org's subtree. ``members_in_scope`` is the org actors' scope;
    ordinary cadres (manual: 仅具备查看权限) view the same subtree here without acting on it."""
    from portal.actors import CADRE, OPERATOR

    if actor.kind not in (CADRE, OPERATOR) or actor.org is None:
        return Member.objects.none()
    return Member.objects.filter(deleted_at__isnull=True, branch__path__startswith=actor.org.path)


def cadre_end_member_page(*, actor, filters=None, within=None, after=None, limit=PAGE_SIZE):
    """One page of 团员查询 (keyset, newest first); ``within``: an org of the subtree (already
    resolved through it) whose own subtree only is listed — a branch's members, say."""
    qs = apply_filters(cadre_end_members(actor), filters)
    if within is not None:
        qs = qs.filter(branch__path__startswith=within.path)
    if after and str(after).isdigit():
        qs = qs.filter(pk__lt=int(after))
    rows = list(qs.select_related("branch").only(*LIST_FIELDS, "joined_league").order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


def cadre_end_member_get(*, actor, pk):
    """One member of the working org's subtree, else 404."""
    from django.http import Http404

    try:
        return cadre_end_members(actor).select_related("branch", "user").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该记录") from None
