"""Rows of the service pages' big tables (issue 16: pages ≤ 2× a trivial view).

A list view shapes each row as a :class:`Row` — a dict of ready-made cells, labels looked up once per
table (``get_FOO_display`` rebuilds its choices on every call). The busiest lists also build their
``<tbody>`` in Python with :func:`tbody`: the template engine spent more on a page's few hundred cells
than the page's queries and the rest of the page together. Every value goes through
:func:`portal.html.esc`, as ``{{ value }}`` would.
"""

from django.utils.safestring import mark_safe

from .html import esc


class Row(dict):
    """A dict whose cells also read as attributes (``row.pk``) for Python callers and tests."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def labels_of(model, *names):
    """{field name: {value: label}} for choice fields: the cells' labels without get_FOO_display."""
    return {name: dict(model._meta.get_field(name).flatchoices) for name in names}


def pk_url(url_name):
    """``pk -> address`` for a URL whose only argument is a pk: reversed once for the table, not per row."""
    from django.urls import reverse

    prefix, marker = reverse(url_name, args=[0]).rsplit("/0/", 1)
    return lambda pk: f"{prefix}/{pk}/{marker}"


def tbody(rows, row_html, *, empty, colspan):
    """The rows' ``<tr>`` s, each built by ``row_html(row)`` (which escapes every value with ``esc``),
    or one muted row saying ``empty``."""
    if not rows:
        return mark_safe(f'<tr><td colspan="{colspan}" class="muted">{esc(empty)}</td></tr>')  # noqa: S308
    return mark_safe("\n".join(row_html(row) for row in rows))  # noqa: S308 - row_html escapes


def props_html(pairs):
    """A ``<dl>``'s ``<dt>label</dt><dd>value</dd>`` s from ``(label, value)`` or ``(label, value, dd id)``:
    a detail page's dozens of fields in one string."""
    parts = []
    for label, value, *dd_id in pairs:
        attr = f' id="{esc(dd_id[0])}"' if dd_id else ""
        parts.append(f"<dt>{esc(label)}</dt><dd{attr}>{esc(value)}</dd>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped


def warn(flag):
    """`` class="warn"`` on a cell that needs attention."""
    return ' class="warn"' if flag else ""
