"""Extension points of the service-page shell.

Apps register, from their ``AppConfig.ready()``:
- menu entries (per actor kind) with :func:`register_menu_item`;
- to-do tiles with :func:`register_todo` (a pending count for the actor's org, a link to the
  filtered list on ``/manage/`` and, for the cadre end inside WeChat Work, a ``/m/cadre/`` link
  or :data:`NOT_ON_MOBILE`);
- the unread-message count shown in the header with :func:`set_unread_counter`.
"""

from dataclasses import dataclass
from functools import cache
from typing import Callable

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from . import actors
from .prepared import count_sql, prepared_statement


@dataclass(frozen=True)
class MenuItem:
    section: str
    label: str
    url_name: str
    kinds: frozenset
    order: int = 100
    quick: bool = False  # also shown among the home page's 快速入口
    visible: Callable | None = None  # optional extra test on the actor

    def url(self):
        return _reverse(self.url_name)


@cache
def _reverse(url_name):
    """A menu entry's address never changes while the process runs (no arguments, one script prefix)."""
    return reverse(url_name)


#: Badges and to-do tiles show counts up to this, then "99+" (``{{ n|badge }}``, portal.templatetags.shell_tags).
BADGE_LIMIT = 99

#: A to-do whose work can only be done on the service pages: the cadre end does not show it.
NOT_ON_MOBILE = None
_UNDECLARED = object()


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    # (actor) -> what waits: a QuerySet (counted with the other tiles in one statement), an int, or
    # None where the to-do does not apply to the actor. A QuerySet's SQL is compiled once per actor
    # kind and org type (prepared: see todos_for), so it may read only the actor's kind, user id and
    # org (id, path, type) — whether it applies, too; an int is asked of each actor.
    count: Callable
    url: Callable  # (actor) -> str, on /manage/
    # (actor) -> str on /m/cadre/, or NOT_ON_MOBILE. Every to-do must say which: a desktop page
    # opened inside WeChat Work is unusable (tests/portal/test_todos.py checks every registration).
    mobile_url: Callable | None = _UNDECLARED
    kinds: frozenset = actors.ORG_ACTOR_KINDS
    order: int = 100

    @property
    def on_mobile(self):
        return self.mobile_url not in (NOT_ON_MOBILE, _UNDECLARED)


SECTION_ORDER = ["首页", "组织管理", "团干管理", "团员管理", "组织关系转接", "团费管理", "奖惩管理", "消息管理", "其他功能", "系统管理"]

_menu = []
_todos = {}
_unread_counter = None


def register_menu_item(item):
    if all((m.section, m.url_name) != (item.section, item.url_name) for m in _menu):
        _menu.append(item)


def _per_request(actor, key, compute):
    """Once per request: the shell reads the menu and the unread count both in the page's view (the
    home page's tiles and quick links) and in its context processor. An actor lives for one request."""
    if not actor.is_authenticated:  # the anonymous actor is one shared object
        return compute()
    memo = actor.extra.setdefault("_shell", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def menu_for(actor):
    return _per_request(actor, "menu", lambda: _menu_for(actor))


def _menu_for(actor):
    sections = {}
    for item in sorted(_menu, key=lambda m: m.order):
        if actor.kind in item.kinds and (item.visible is None or item.visible(actor)):
            sections.setdefault(item.section, []).append(item)
    order = {name: i for i, name in enumerate(SECTION_ORDER)}
    return sorted(sections.items(), key=lambda kv: order.get(kv[0], len(order)))


def quick_links_for(actor):
    return [item for _, items in menu_for(actor) for item in items if item.quick]


def register_todo(todo):
    _todos[todo.key] = todo


def registered_todos():
    return sorted(_todos.values(), key=lambda t: t.order)


def todos_for(actor, mobile=False):
    """Tiles with something pending; nothing pending shows as 暂无待办事项.

    ``mobile``: the cadre end's tiles, only those with a mobile target, linking there.
    """
    todos = [todo for todo in registered_todos()
             if actor.kind in todo.kinds and (todo.on_mobile or not mobile)]
    if actor.acts_for_org and actor.user is not None and todos:
        counted = _todo_counts(actor.org.pk, actor.org.path, actor.user.pk, kind=actor.kind,
                               org_type=actor.org.org_type, keys=tuple(todo.key for todo in todos))
        pending = [todo.count(actor) if n is None else n for todo, n in zip(todos, counted)]
    else:
        pending = [todo.count(actor) for todo in todos]
        querysets = {i: p for i, p in enumerate(pending) if isinstance(p, QuerySet)}
        for i, n in zip(querysets, count_all(querysets.values())):
            pending[i] = n
    tiles = []
    for todo, count in zip(todos, pending):
        if count:
            url = todo.mobile_url(actor) if mobile else todo.url(actor)
            tiles.append({"key": todo.key, "label": todo.label, "count": count, "url": url})
    return tiles


def _stand_in(kind, org_type, org_id, path, user_id):
    """An actor of this kind for an org of this type whose ids are a prepared statement's markers."""
    from django.contrib.auth import get_user_model

    from orgtree.models import Organization

    return actors.Actor(kind, user=get_user_model()(pk=user_id),
                        org=Organization(pk=org_id, path=path, org_type=org_type))


@prepared_statement
def _todo_counts(org_id, path, user_id, *, kind, org_type, keys):
    """The tiles' counts in one statement, compiled once per actor kind, org type and set of to-dos:
    building and compiling the tiles' QuerySets was most of the home page. NULL: ask the to-do itself."""
    stand_in = _stand_in(kind, org_type, org_id, path, user_id)
    parts, params = [], []
    for key in keys:
        pending = _todos[key].count(stand_in)
        if isinstance(pending, QuerySet):
            sql, qs_params = count_sql(pending)
            parts.append(sql)
            params.extend(qs_params)
        else:
            parts.append("NULL")
    return "SELECT " + ", ".join(parts), params


def count_all(querysets):
    """The row counts of several querysets of one database in one statement: the home page's tiles
    were one round trip each, most of the page's time (issue 16)."""
    parts, params = [], []
    for qs in querysets:
        sql, qs_params = count_sql(qs)
        parts.append(sql)
        params.extend(qs_params)
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


_mobile_links = []


def register_mobile_link(func):
    """``func(path, query)`` returns the ``/m/cadre/`` page for a ``/manage/`` link, or None.

    A message to an org carries a link to the service pages; an operator reading it inside WeChat
    Work is sent to the cadre end's page for the same work instead, when there is one."""
    if func not in _mobile_links:
        _mobile_links.append(func)
    return func


def mobile_link_for(link):
    """The cadre end's page for a ``/manage/`` link, or "" when the work is done on the service pages only."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(link)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    for func in _mobile_links:
        if target := func(parts.path, query):
            return target
    return ""


def set_unread_counter(func):
    global _unread_counter
    _unread_counter = func


def unread_count(actor):
    if not _unread_counter:
        return 0
    return _per_request(actor, "unread", lambda: _unread_counter(actor))
