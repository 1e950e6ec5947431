"""Rows of the service pages' big tables, shaped for the template engine (issue 16: pages ≤ 2× a trivial view).

Django's engine resolves ``row.cell`` by trying ``row["cell"]`` first; on a model instance that fails
(with an exception) before the attribute is read, and ``get_FOO_display`` rebuilds its choices on
every call. A list view hands its template :class:`Row` s — dicts of ready-made cells — instead.
"""


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
