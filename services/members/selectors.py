"""Every read of members, always through the actor's scope (DESIGN §4, §7).

我的团员 pages by keyset (``id < cursor``, newest first) and never counts: at the province's root a
page is the first rows of the pk index that pass the filters, so page 1 and page 100 cost the same.
"""

from datetime import date


from orgtree.selectors import search_query_problem
from portal.idcard import normalize
from portal.params import int_or_none
from portal.scope import get_in_scope, scoped

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


def apply_filters(qs, filters, today=None):
    """Filters of 我的团员 (reference §2.1.5a); each has an index."""
    f = filters or {}
    if f.get("registration_status") not in (None, ""):
        qs = qs.filter(registration_status=int(f["registration_status"]))
    else:
        qs = qs.exclude(registration_status=RegistrationStatus.WITHDRAWN)
    if f.get("league_status") not in (None, ""):
        value = f["league_status"]
        qs = qs.filter(league_status__in=value) if isinstance(value, (list, tuple)) else qs.filter(
            league_status=int(value))
    if f.get("real_name_status") not in (None, ""):
        qs = qs.filter(real_name_status=int(f["real_name_status"]))
    if f.get("deletion_state") not in (None, ""):
        qs = qs.filter(deletion_state=int(f["deletion_state"]))
    if f.get("name"):
        qs = qs.filter(name=f["name"].strip())
    if f.get("id_number"):
        qs = qs.filter(id_number=normalize(f["id_number"]))
    if f.get("member_number"):
        qs = qs.filter(member_number=f["member_number"].strip())
    if f.get("phone"):
        qs = qs.filter(phone=f["phone"].strip())
    if f.get("aged_28"):
        qs = qs.filter(birth_date__lte=aging.birthday_cutoff(today or date.today()))
    return qs


def member_page(*, actor, filters=None, after=None, limit=PAGE_SIZE):
    """One page of 我的团员: (rows, next cursor or None)."""
    qs = apply_filters(members_in_scope(actor), filters)
    if (cursor := int_or_none(after)) is not None:  # a malformed cursor is the first page
        qs = qs.filter(pk__lt=cursor)
    rows = list(qs.select_related("branch").only(*LIST_FIELDS).order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


def member_export_rows(*, actor, filters=None):
    qs = apply_filters(members_in_scope(actor), filters)
    return qs.select_related("branch").order_by("-id")[:EXPORT_LIMIT]


def member_get(*, actor, pk):
    """One member inside the actor's subtree, else 404."""
    return get_in_scope(actor, Member.objects.filter(deleted_at__isnull=True).select_related("branch", "user"),
                        org_field="branch", pk=pk)


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
    return Member.objects.filter(user=user, deleted_at__isnull=True).select_related("branch").first()


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
