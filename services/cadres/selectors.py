"""Reads of cadre records, always through the actor's scope (DESIGN §4)."""

from django.db.models import Exists, F, OuterRef, Q

from orgtree.models import Organization
from portal import idcard
from portal.prepared import prepared
from portal.scope import get_in_scope, scoped

from . import directory
from .models import CadreImport, CadrePost, OrgGram, PostGram


def _filtered(qs, *, name="", id_number="", phone="", status="", org=None):
    if name:
        qs = qs.filter(person__name__contains=name.strip())
    if id_number:
        qs = qs.filter(person__id_number=idcard.normalize(id_number))
    if phone:
        qs = qs.filter(person__phone=phone.strip())
    if status == "enabled":
        qs = qs.filter(enabled=True)
    elif status == "disabled":
        qs = qs.filter(enabled=False)
    if org is not None:
        qs = qs.filter(org=org)
    return qs


def cadres_of_own_org(actor, **filters):
    """本组织团干."""
    qs = CadrePost.objects.filter(org=actor.org) if actor.acts_for_org else CadrePost.objects.none()
    return _filtered(qs, **filters).select_related("person", "org").order_by("-id")


def cadres_below(actor, **filters):
    """所有下级团干: every cadre post in the subtree, the actor's own org excluded (view only)."""
    qs = scoped(actor, CadrePost.objects.all(), "org").exclude(org=actor.org) if actor.acts_for_org \
        else CadrePost.objects.none()
    return _filtered(qs, **filters).select_related("person", "org").order_by("-id")


def own_post(actor, pk):
    """A post of the actor's own org (for writes): 404 for any other org's, ancestors' included."""
    return get_in_scope(actor, CadrePost.objects.select_related("person", "org").filter(org=actor.org),
                        "org", pk=pk)


def post_in_scope(actor, pk):
    """A post anywhere in the actor's subtree (to view)."""
    return get_in_scope(actor, CadrePost.objects.select_related("person", "org", "person__first_org"), "org", pk=pk)


def other_posts(post):
    return post.person.posts.exclude(pk=post.pk).select_related("org").order_by("id")


def without_operator(actor):
    """The actor's org while it has no operator (the 待办 tile: every org must set one), else nothing."""
    has_operator = CadrePost.objects.filter(org=OuterRef("pk"), operator_user__isnull=False)
    return Organization.objects.filter(pk=actor.org.pk).exclude(Exists(has_operator))


def person_for_login(user):
    """The cadre behind a WeChat Work login. (Not ``.first()``: its ORDER BY id made PostgreSQL walk
    the primary key of every cadre instead of using the unique user index — 5 ms a request.) Every page
    of the cadre end asks: a prepared query (compiling its two joins cost 0.7 ms a request)."""
    return _person_of_login.first(user.pk)


@prepared
def _person_of_login(user_id):
    from .models import CadrePerson

    return CadrePerson.objects.select_related("working_post__org").filter(user_id=user_id)


def operator_post_for_user(user):
    return _operator_post.first(user.pk)  # by the unique index (see person_for_login)


@prepared
def _operator_post(user_id):
    return CadrePost.objects.select_related("org", "person").filter(operator_user_id=user_id)


def search_q(text):
    return Q(person__name__contains=text) | Q(org__full_name__contains=text) | Q(title__contains=text)


def imports_of(actor):
    return CadreImport.objects.filter(org=actor.org).defer("content").order_by("-created_at") \
        if actor.acts_for_org else CadreImport.objects.none()


def import_get(actor, pk):
    return get_in_scope(actor, CadreImport.objects.filter(org=actor.org).defer("content"), "org", pk=pk)


def cadres_readable(actor, q="", org=None):
    """团干查询 on the cadre end: the working org's subtree (or one org of it, already resolved
    through ``org_viewable``); ordinary cadres read, they do not act."""
    if actor.org is None:
        return CadrePost.objects.none()
    qs = CadrePost.objects.filter(org__path__startswith=actor.org.path, enabled=True)
    if org is not None:
        qs = qs.filter(org=org)
    if q:
        qs = qs.filter(search_q(q))
    return qs.select_related("person", "org").order_by("org__path", "id")


def directory_search(q, limit=50):
    """通讯录: up to ``limit`` enabled cadres anywhere in the province by name, org or post, as rows
    of id, title, name, phone and org_name.

    Three characters or more: ``search_text`` contains it (the pg_trgm index on PostgreSQL).
    Two Chinese characters, too short for trigrams: the word in the PostGram/OrgGram index (a name
    such as 李娜, a post such as 书记, an org word such as 天河 or 团委). One: a name prefix.
    The first ``limit`` matching ids are picked first, in no particular order, so that the scan
    stops there; only those rows are joined to person and org and sorted by name. A common org
    name matches thousands of posts: sorting and joining them all before the limit cost 4×
    the trivial view (bench_cadre_import).
    """
    q = (q or "").strip()
    if not q:
        return []
    if len(q) >= 3:
        ids = _ids_containing(q, limit=limit)
    elif gram := directory.query_bigram(q):
        ids = _bigram_ids(gram, limit)
    else:
        ids = _ids_named(q, limit=limit)
    # Plain rows, not model instances: building 50 posts with their persons and orgs cost more than
    # both queries together. Sorted here: 50 rows, and a simpler query to plan.
    rows = _directory_rows(*ids, n=len(ids)) if ids else []
    return sorted(rows, key=lambda row: (row["name"], row["id"]))


# Each query of the search is prepared (portal.prepared): compiling them was as much as running them.
@prepared
def _ids_containing(q, *, limit):
    return _first_ids(CadrePost.objects.filter(search_text__contains=q), limit)


@prepared
def _ids_named(q, *, limit):
    return _first_ids(CadrePost.objects.filter(person__name__startswith=q), limit)


@prepared
def _ids_with_word(gram, *, limit):
    return PostGram.objects.filter(gram=gram).order_by().values_list("post_id", flat=True)[:limit]


@prepared
def _ids_of_orgs_with_word(gram, *found, limit, n):
    """Posts of orgs whose names have the word, less the ``n`` already ``found`` (compiled per ``n``:
    a NOT IN subquery of the word's posts was planned slower for a word no post has)."""
    qs = CadrePost.objects.filter(org_id__in=OrgGram.objects.filter(gram=gram).values("org_id"))
    return _first_ids(qs.exclude(pk__in=found) if found else qs, limit)


@prepared
def _directory_rows(*ids, n):
    return CadrePost.objects.filter(pk__in=ids).order_by().values(
        "id", "title", name=F("person__name"), phone=F("person__phone"), org_name=F("org__full_name"))


def _first_ids(qs, limit):
    return qs.filter(enabled=True).order_by().values_list("id", flat=True)[:limit]


def _bigram_ids(gram, limit):
    """A two-character word: posts whose own words have it (name, post) first, then posts of orgs
    whose names have it; each an index lookup that stops at ``limit``. Two queries, not a UNION:
    PostgreSQL planned the UNION of a common word (书记) with parallel workers, 4× slower."""
    ids = _ids_with_word(gram, limit=limit)
    if len(ids) < limit:
        ids += _ids_of_orgs_with_word(gram, *ids, limit=limit - len(ids), n=len(ids))
    return ids


def cadre_initial_from_member(member):
    """转为团干: the cadre form pre-filled from a member record (reference §2.1.4, §4.11).

    The ID number and 文化程度 stay blank on purpose, as in the reference: the member's
    全日制学历 is a different list, and the person entering confirms the ID themselves.
    """
    title = member.cadre_post_name or (member.get_cadre_post_display() if member.cadre_post else "")
    return {
        "name": member.name, "phone": member.phone, "nation": member.nation, "nation_name": member.nation_name,
        "political_status": member.political_status, "joined_league": member.joined_league,
        "title": title, "nature": member.cadre_nature, "took_office": member.cadre_since,
        "party_committee_member": bool(member.party_committee_member), "work_unit": member.work_unit,
        "email": member.email, "qq": member.qq, "wechat": member.wechat, "weibo": member.weibo,
        "member_number": member.member_number, "joined_party": member.joined_party,
        "volunteer_since": member.volunteer_since,
    }


def groups_of(person):
    """专项工作群 the person is in, newest first."""
    from .models import WorkingGroup

    return WorkingGroup.objects.filter(members=person).order_by("-created_at")


def group_of(person, pk):
    """A group the person is in; any other is 404."""
    from django.http import Http404

    group = groups_of(person).filter(pk=pk).first() if str(pk).isdigit() else None
    if group is None:
        raise Http404("未找到该工作群")
    return group


# --- the cadre end's read-only views: the working org's subtree --------------------------------
# Ordinary cadres (manual: 仅具备查看权限，如团组织、团干、团员等信息) view what operators view;
# ``portal.scope`` is the org actors' scope, so the cadre end scopes by the working org here.

ORG_PAGE = 50  # children listed per page


def viewing_root(actor):
    """The org a cadre-end actor views from (the working identity's org), or None."""
    from portal.actors import CADRE, OPERATOR

    return actor.org if actor.kind in (CADRE, OPERATOR) else None


def org_viewable(actor, pk):
    """An org of the working org's subtree; any other is 404."""
    from django.http import Http404

    from orgtree.models import Organization

    root = viewing_root(actor)
    try:
        if root is None:
            raise Organization.DoesNotExist
        return Organization.objects.filter(path__startswith=root.path).get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该组织") from None


def org_children_page(org, after=None, limit=ORG_PAGE):
    """Direct children of ``org`` by path (keyset: ``after`` is the last path shown)."""
    from orgtree.models import Organization

    qs = Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
    if after:
        qs = qs.filter(path__gt=str(after))
    rows = list(qs.only("id", "path", "depth", "numchild", "full_name", "org_type").order_by("path")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].path if more and rows else None)


def org_trail(org, root=None):
    """The ancestors of ``org`` from ``root`` (or the tree's top) down to its parent."""
    from orgtree.models import Organization

    paths = [p for p in org.ancestor_paths if root is None or p.startswith(root.path)]
    return list(Organization.objects.filter(path__in=paths).only("id", "path", "full_name", "short_name")
                .order_by("depth"))


# --- 通讯录 by the org tree: the province's, any org may be opened (reference §2.4) -------------

def directory_tops():
    from orgtree.models import Organization

    return list(Organization.objects.filter(depth=1).only("id", "path", "depth", "numchild", "full_name", "org_type")
                .order_by("path"))


def directory_org(pk=None):
    """The org to show: ``pk``'s (404 if none), or with no ``pk`` the top of the tree when there is
    one top (else None: the tops are listed)."""
    from django.http import Http404

    from orgtree.models import Organization

    if pk is None:
        tops = directory_tops()
        return tops[0] if len(tops) == 1 else None
    try:
        return Organization.objects.get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该组织") from None


def directory_org_cadres(org, limit=50):
    """The enabled cadres of one org, as directory rows (id, title, name, phone)."""
    return list(CadrePost.objects.filter(org=org, enabled=True).order_by("id").values(
        "id", "title", name=F("person__name"), phone=F("person__phone"))[:limit])
