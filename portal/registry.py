"""Extension points of the service-page shell.

Apps register, from their ``AppConfig.ready()``:
- menu entries (per actor kind) with :func:`register_menu_item`;
- to-do tiles with :func:`register_todo` (a pending count for the actor's org and a
  link to the filtered list);
- the unread-message count shown in the header with :func:`set_unread_counter`.
"""

from dataclasses import dataclass
from typing import Callable

from django.urls import reverse

from . import actors


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
        return reverse(self.url_name)


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: Callable  # (actor) -> int
    url: Callable  # (actor) -> str
    kinds: frozenset = actors.ORG_ACTOR_KINDS
    order: int = 100


SECTION_ORDER = ["首页", "组织管理", "团干管理", "团员管理", "组织关系转接", "团费管理", "奖惩管理", "消息管理", "系统管理"]

_menu = []
_todos = {}
_unread_counter = None


def register_menu_item(item):
    if all((m.section, m.url_name) != (item.section, item.url_name) for m in _menu):
        _menu.append(item)


def menu_for(actor):
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


def todos_for(actor):
    """Tiles with something pending; nothing pending shows as 暂无待办事项."""
    tiles = []
    for todo in sorted(_todos.values(), key=lambda t: t.order):
        if actor.kind in todo.kinds and (count := todo.count(actor)):
            tiles.append({"label": todo.label, "count": count, "url": todo.url(actor)})
    return tiles


def set_unread_counter(func):
    global _unread_counter
    _unread_counter = func


def unread_count(actor):
    return _unread_counter(actor) if _unread_counter else 0
