"""Numbered pages whose total is counted only so far (DESIGN §7: no ``COUNT(*)`` over millions per view).

Django's ``Paginator`` counts every matching row to number the pages: an org's 操作日志 with a million
entries cost a full index scan on every page. :class:`BoundedPaginator` counts at most ``max_pages``
pages' worth (``SELECT COUNT(*) FROM (… LIMIT n)``); past that the page says 共 N+ 条 and asks for a
filter instead — nobody reads page 201 of a log, they narrow it by date or action.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

MAX_PAGES = 200


def rows_counted(per_page, max_pages=None):
    """The most rows a :class:`BoundedPaginator` reads to number its pages (one past what it shows)."""
    return per_page * (max_pages or MAX_PAGES) + 1


class BoundedPaginator(Paginator):
    """``known_count``: the total when the caller already has it (e.g. a node's ``numchild``): no count query."""

    def __init__(self, object_list, per_page, *, max_pages=None, known_count=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.max_pages = max_pages or MAX_PAGES
        self.known_count = known_count

    @cached_property
    def _bounded(self):
        read = rows_counted(self.per_page, self.max_pages)
        limit = read - 1  # the rows the pages show
        if self.known_count is not None:
            counted = self.known_count
        elif isinstance(self.object_list, list):
            counted = len(self.object_list)
        else:
            # How many, not which: no ORDER BY, so the count can walk any index.
            rows = self.object_list.order_by() if hasattr(self.object_list, "order_by") else self.object_list
            counted = rows[:read].count()
        return min(counted, limit), counted > limit

    @cached_property
    def count(self):
        return self._bounded[0]

    @property
    def capped(self):
        """More rows match than the pages show."""
        return self._bounded[1]


def page_number(paginator, number):
    """The number of the page ``get_page(number)`` would give, without reading its rows (a page whose
    body is kept elsewhere, as 数据统计's table is)."""
    try:
        return paginator.validate_number(number)
    except PageNotAnInteger:
        return 1
    except EmptyPage:
        return paginator.num_pages


def page_of(object_list, per_page, number, **kwargs):
    """The requested page (a bad or out-of-range number gives the nearest page, as ``get_page`` does)."""
    return BoundedPaginator(object_list, per_page, **kwargs).get_page(number)


class PreparedRows:
    """A prepared query (portal.prepared) as a paginator's rows. Its builder takes ``start`` and ``stop``
    keywords and returns its QuerySet sliced by them; each page is its own compiled shape."""

    def __init__(self, query, values, shape):
        self.query, self.values, self.shape = query, values, shape

    def __getitem__(self, bounds):
        return self.query(*self.values, **self.shape, start=bounds.start, stop=bounds.stop)


def prepared_page_of(query, values, per_page, number, *, max_pages=None, known_count=None, **shape):
    """:func:`page_of` for a prepared query: the bounded count (unless the caller knows it) and the page's
    rows, each one prepared statement."""
    counted = known_count
    if counted is None:
        counted = query.count(*values, **shape, start=None, stop=rows_counted(per_page, max_pages))
    return page_of(PreparedRows(query, values, shape), per_page, number, max_pages=max_pages, known_count=counted)
