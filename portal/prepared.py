"""Prepared queries: an ORM query compiled once, then run again with new values (issue 16).

Building and compiling a QuerySet costs 0.3–1.5 ms of Python per query (a select_related member with
its branch and login: about 1.1 ms), more than the database takes to answer it. The pages every
person opens run the same few queries with different values, so the SQL is the same each time:

    @prepared
    def member_row(member_id, scope_path):
        return Member.objects.filter(pk=member_id, branch__path__startswith=scope_path).select_related("branch")

    member_row(42, "0001")  # a list of Members, as list(queryset) would give

The first call (per database and shape) calls the builder twice with *markers* in place of its
arguments — ints, strs and dates of two different sets — compiles the QuerySets, and records where
each argument's markers land among the SQL's parameters. Each later call puts the new values there and runs the same SQL through Django's own
iterables, so rows come back as the QuerySet would give them: model instances (with select_related),
``values()`` dicts or ``values_list()`` tuples, with the database's converters applied.

The rules a builder keeps (a broken one raises on the first call, so a test finds it):

- its arguments are ints, strs or dates (not datetimes) and are used as lookup values (``exact``,
  ``lt``, ``startswith``, ``contains``… — a date of a DateField, not of ``__date``); anything that changes the SQL's *shape* — a filter applied or not, a list's length, a
  bool, an ordering — is a keyword argument (``member_rows(path, status=…)``), and each distinct set of
  keyword values is compiled once;
- no ``prefetch_related`` (that is a second query) and no ``iterator()``: the result is a list.

``member_row.first(42, "0001")`` is the first row or None; ``prepared_count`` is the same for
``COUNT(*)`` of the builder's rows.
"""

import copy
import datetime
import functools

from django.core.exceptions import EmptyResultSet
from django.db import connections

# Markers. An int marker fits every integer field (a value out of a field's range would make Django
# drop the lookup), so it could equal a constant of the builder's: the builder is compiled twice, with
# two sets of markers, and a parameter is an argument's only where it follows the markers.
_INT_MARKER = 29_000
_STR_MARKER = "\ue000{}.{}\ue001"  # private-use characters around the argument's position
_DATE_MARKER_YEAR = 1001  # a date of the eleventh century: no month, birthday or deadline is one


def _check(position, value):
    if isinstance(value, (bool, datetime.datetime)) or not isinstance(value, (int, str, datetime.date)):
        raise TypeError(f"prepared query argument {position} must be an int, a str or a date, not "
                        f"{type(value).__name__}; pass what changes the SQL's shape as a keyword argument")


def _marker(position, value, variant):
    if isinstance(value, int):
        return _INT_MARKER + 2 * position + variant
    if isinstance(value, str):
        return _STR_MARKER.format(position, variant)
    return datetime.date(_DATE_MARKER_YEAR + 2 * position + variant, 1, 1)


class _Slot:
    """Where argument ``position`` goes: parameter ``index``, as is, inside a LIKE pattern
    (``prefix``/``suffix``), or as the database adapts a date (``adapt``)."""

    __slots__ = ("index", "position", "prefix", "suffix", "adapt", "wrap")

    def __init__(self, index, position, prefix="", suffix="", adapt=False, wrap=None):
        self.index, self.position, self.prefix, self.suffix, self.adapt = index, position, prefix, suffix, adapt
        self.wrap = wrap  # the int subclass Django gave (psycopg's Int2 for a small-integer field)

    def value(self, values, ops):
        value = values[self.position]
        if self.wrap is not None:
            return self.wrap(value)
        if self.adapt:
            return ops.adapt_datefield_value(value)
        if self.prefix or self.suffix:  # a pattern lookup: the value is escaped as Django's lookup would
            return self.prefix + ops.prep_for_like_query(value) + self.suffix
        return value


def _slots(params, markers, other_params, other_markers, ops, every=True):
    """Where each argument lands: the parameters that hold its marker in both compilations (``every``:
    each argument must land somewhere)."""
    slots, found = [], set()
    for index, (param, other) in enumerate(zip(params, other_params)):
        for position, (marker, other_marker) in enumerate(zip(markers, other_markers)):
            slot = _slot(index, position, param, other, marker, other_marker, ops)
            if slot is not None:
                slots.append(slot)
                found.add(position)
    missing = set(range(len(markers))) - found
    if missing and every:
        raise TypeError(f"prepared query arguments {sorted(missing)} are not lookup values of the SQL "
                        "(a shape-changing value is a keyword argument)")
    return slots


def _slot(index, position, param, other, marker, other_marker, ops):
    if isinstance(marker, int):
        if isinstance(param, int) and not isinstance(param, bool) and param == marker and other == other_marker:
            return _Slot(index, position, wrap=None if type(param) is int else type(param))
    elif isinstance(marker, str):
        if isinstance(param, str) and marker in param:
            prefix, _, suffix = param.partition(marker)
            if marker in suffix or other != prefix + other_marker + suffix:
                raise TypeError(f"prepared query argument {position} is not a plain lookup value")
            return _Slot(index, position, prefix, suffix)
    elif param == marker and other == other_marker:
        return _Slot(index, position)
    elif param == ops.adapt_datefield_value(marker) and other == ops.adapt_datefield_value(other_marker):
        return _Slot(index, position, adapt=True)  # SQLite's text
    return None


class _Compiled:
    def __init__(self, sql, params, slots, queryset=None, compiler=None):
        self.sql, self.params, self.slots, self.queryset, self.compiler = sql, params, slots, queryset, compiler
        self.converters = None

    def params_for(self, values, connection):
        params = list(self.params)
        for slot in self.slots:
            params[slot.index] = slot.value(values, connection.ops)
        return tuple(params)

    def bind(self, values, connection):
        """A compiler of the compiled query that answers ``as_sql()`` with ``values`` in place."""
        bound = (self.sql, self.params_for(values, connection))
        compiler = copy.copy(self.compiler)
        compiler.connection = connection  # the calling thread's connection, not the compiling one's
        compiler.using = connection.alias
        compiler.as_sql = lambda *args, **kwargs: bound
        if self.converters is None:  # the columns' converters, asked of the fields on every call otherwise
            self.converters = compiler.get_converters([s[0] for s in compiler.select[0:compiler.col_count]])
        compiler.get_converters = lambda expressions: self.converters
        return compiler


class _BoundQuery:
    """The compiled query's Query, handing out the bound compiler."""

    def __init__(self, query, compiler):
        self._query, self._compiler = query, compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


class _BoundQuerySet:
    """What Django's iterables read of a QuerySet."""

    def __init__(self, queryset, compiler):
        self.query = _BoundQuery(queryset.query, compiler)
        self.db = compiler.using
        self.model = queryset.model
        self._fields = queryset._fields
        self._known_related_objects = {}


#: Compiled shapes kept per prepared query (a paged list compiles one per page number it is asked for).
MAX_SHAPES = 256


def keep(store, key, value, most):
    """``store[key] = value`` in a dict that holds at most ``most`` entries: the oldest goes first.
    Without a lock: a thread changing the dict meanwhile costs at most one entry too many."""
    if len(store) >= most:
        try:
            store.pop(next(iter(store)), None)
        except (RuntimeError, StopIteration):  # another thread changed the dict meanwhile
            pass
    store[key] = value


class Prepared:
    every_argument_used = True

    def __init__(self, build):
        self.build = build
        self._compiled = {}
        self._counter = None
        functools.update_wrapper(self, build)

    def _sql(self, markers, shape):
        """(sql or None when it can have no rows, params, queryset, compiler) of the builder's QuerySet."""
        queryset = self.build(*markers, **shape)
        if queryset._prefetch_related_lookups:
            raise TypeError("a prepared query cannot prefetch_related (it would be a second query)")
        queryset = self.prepare(queryset)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # .none(), or a filter on an empty list
            return None, (), queryset, compiler
        return sql, params, queryset, compiler

    def _compile(self, values, shape):
        built = []
        for variant in (0, 1):
            markers = [_marker(i, v, variant) for i, v in enumerate(values)]
            built.append((markers, *self._sql(markers, shape)))
        (markers, sql, params, queryset, compiler), (other_markers, other_sql, other_params, _, _) = built
        if sql != other_sql or len(params) != len(other_params):
            raise TypeError("a prepared query argument changes the SQL (it is a keyword argument)")
        if sql is None:
            return None
        ops = connections[queryset.db if queryset is not None else "default"].ops
        slots = _slots(params, markers, other_params, other_markers, ops, every=self.every_argument_used)
        return _Compiled(sql, params, slots, queryset, compiler)

    def prepare(self, queryset):
        return queryset

    def compiled(self, values, shape):
        """The compiled query for these values' types and this shape (None: it never has rows)."""
        for value in values:
            if type(value) is int and not -2**63 <= value < 2**63:
                raise ValueError("prepared query argument out of the database's integer range")
        key = (tuple(type(v) for v in values), tuple(sorted(shape.items())))
        try:
            return self._compiled[key]
        except KeyError:
            pass
        for position, value in enumerate(values):
            _check(position, value)  # refuse a bad argument before building
        compiled = self._compile(values, shape)
        keep(self._compiled, key, compiled, MAX_SHAPES)
        return compiled

    def __call__(self, *values, **shape):
        compiled = self.compiled(values, shape)
        if compiled is None:
            return []
        connection = connections[compiled.queryset.db]
        compiler = compiled.bind(values, connection)
        return list(compiled.queryset._iterable_class(_BoundQuerySet(compiled.queryset, compiler)))

    def first(self, *values, **shape):
        """The call's first row, or None when it has none (a lookup by a unique key)."""
        rows = self(*values, **shape)
        return rows[0] if rows else None

    def count(self, *values, **shape):
        """How many rows the call with these values would give, in one ``COUNT(*)``."""
        if self._counter is None:
            self._counter = PreparedCount(self.build)
        return self._counter(*values, **shape)


class PreparedCount(Prepared):
    """How many rows the builder's QuerySet has: ``SELECT COUNT(*) FROM (…)``."""

    def prepare(self, queryset):
        if queryset.query.combinator or queryset.query.group_by is not None or queryset.query.annotation_select:
            return queryset  # a union's or a grouping's rows are what it selects
        if not queryset.query.is_sliced:  # a slice's order decides which rows are counted
            queryset = queryset.order_by()
        if queryset.query.select_related:  # the rows' joins are not needed to count them
            queryset = queryset.select_related(None)
        return queryset.values_list("pk")  # an index may hold all a count reads

    def __call__(self, *values, **shape):
        compiled = self.compiled(values, shape)
        if compiled is None:
            return 0
        connection = connections[compiled.queryset.db]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({compiled.sql}) AS counted", compiled.params_for(values, connection))
            return cursor.fetchone()[0]


class PreparedStatement(Prepared):
    """A builder of ``(sql, params)`` — several QuerySets' SQL combined, say — prepared the same way:
    a call gives the one row the statement selects. An argument may go unused (the to-do tiles pass
    the actor's ids whether or not a tile reads them)."""

    every_argument_used = False

    def _sql(self, markers, shape):
        sql, params = self.build(*markers, **shape)
        return sql, tuple(params), None, None

    def __call__(self, *values, **shape):
        compiled = self.compiled(values, shape)
        connection = connections["default"]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params_for(values, connection))
            return cursor.fetchone()


def count_sql(queryset):
    """``(SELECT COUNT(*) FROM (…))`` of a QuerySet and its parameters, to combine several counts in one
    statement: "0" when it can have no rows. A slice keeps its order (it decides which rows count)."""
    try:
        if not queryset.query.is_sliced:
            queryset = queryset.order_by()  # how many, not which
        if queryset.query.select_related:  # the rows' joins are not needed to count them
            queryset = queryset.select_related(None)
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter on an empty list
        return "0", ()
    return f"(SELECT COUNT(*) FROM ({sql}) AS counted)", params


def prepared(build):
    return Prepared(build)


def prepared_count(build):
    return PreparedCount(build)


def prepared_statement(build):
    return PreparedStatement(build)
