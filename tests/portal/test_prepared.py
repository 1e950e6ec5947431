"""portal.prepared: a query compiled once gives, for any values, what the QuerySet itself gives."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.prepared import prepared, prepared_count
from services.members.choices import RegistrationStatus
from services.members.models import Member
from tests.factories import make_member


def _members(branch__path, name):
    return (Member.objects.filter(branch__path__startswith=branch__path, name__contains=name)
            .select_related("branch").order_by("-id"))


@prepared
def members_named(path, name):
    return _members(path, name)


@prepared
def names_after(path, after):
    return Member.objects.filter(branch__path__startswith=path, pk__lt=after).order_by("-id").values_list("pk", "name")


@prepared
def dicts_of(pk):
    return Member.objects.filter(pk=pk).values("name", "birth_date", "created_at")


@prepared
def in_status(path, *, pending):
    qs = Member.objects.filter(branch__path__startswith=path)
    return qs.filter(reviewed_at__isnull=True) if pending else qs.filter(reviewed_at__isnull=False)


@prepared_count
def count_named(path, name):
    return _members(path, name)


@pytest.fixture
def people(tree, b_branch):
    names = ["张三", "李四", "张100%", "王_五", "赵\\六"]  # the registration form refuses the last three
    mine, theirs = [], []
    for name in names:
        for branch, made in ((tree.branch, mine), (b_branch, theirs)):
            member = make_member(branch)
            Member.objects.filter(pk=member.pk).update(name=name)
            member.name = name
            made.append(member)
    return mine, theirs


def _fields(member):
    return [getattr(member, f.attname) for f in Member._meta.concrete_fields]


@pytest.mark.django_db
def test_models_with_select_related_as_the_queryset_gives_them(tree, people):
    for path in (tree.province.path, tree.branch.path, tree.city_b.path, "9999"):
        for name in ("张", "李四", "%", "_", "\\", "", "无此人"):
            got, want = members_named(path, name), list(_members(path, name))
            assert [_fields(m) for m in got] == [_fields(m) for m in want], (path, name)
            assert [m.branch.full_name for m in got] == [m.branch.full_name for m in want]
            assert count_named(path, name) == len(want)


@pytest.mark.django_db
def test_first_is_the_first_row_or_none(tree, people):
    mine, _ = people
    newest = members_named.first(tree.branch.path, "")
    assert newest.pk == max(m.pk for m in mine) and newest.branch.full_name == tree.branch.full_name
    assert members_named.first(tree.branch.path, "无此人") is None
    assert dicts_of.first(mine[0].pk)["name"] == mine[0].name


@pytest.mark.django_db
def test_like_wildcards_in_a_value_match_only_themselves(tree, people):
    assert [m.name for m in members_named(tree.branch.path, "%")] == ["张100%"]
    assert [m.name for m in members_named(tree.branch.path, "_")] == ["王_五"]
    assert [m.name for m in members_named(tree.branch.path, "\\")] == ["赵\\六"]


@pytest.mark.django_db
def test_values_list_and_values_with_converters(tree, people):
    mine, _ = people
    newest = max(m.pk for m in mine)
    assert names_after(tree.branch.path, newest) == list(
        Member.objects.filter(branch=tree.branch, pk__lt=newest).order_by("-id").values_list("pk", "name"))
    [row] = dicts_of(mine[0].pk)
    assert row == Member.objects.filter(pk=mine[0].pk).values("name", "birth_date", "created_at").get()
    assert row["created_at"].tzinfo is not None  # the database's converters ran (SQLite stores text)


@pytest.mark.django_db
def test_shape_keywords_compile_separately(tree, people):
    mine, theirs = people
    Member.objects.filter(pk=mine[0].pk).update(reviewed_at=None)
    pending = in_status(tree.province.path, pending=True)
    reviewed = in_status(tree.province.path, pending=False)
    assert [m.pk for m in pending] == [mine[0].pk]
    assert {m.pk for m in reviewed} == {m.pk for m in mine[1:] + theirs}


@pytest.mark.django_db
def test_second_call_runs_one_query_and_compiles_nothing(tree, people, monkeypatch):
    members_named(tree.branch.path, "张")
    from django.db.models.sql import compiler

    def refuse(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(compiler.SQLCompiler, "as_sql", refuse)
    with CaptureQueriesContext(connection) as queries:
        assert [m.name for m in members_named(tree.city_b.path, "李")] == ["李四"]
    assert len(queries) == 1


@pytest.mark.django_db
def test_bad_builders_and_arguments_are_refused(tree):
    @prepared
    def ignores_its_argument(pk):
        return Member.objects.filter(pk=1)

    @prepared
    def prefetches(pk):
        return Member.objects.filter(pk=pk).prefetch_related("requests")

    with pytest.raises(TypeError, match="not lookup values"):
        ignores_its_argument(5)
    with pytest.raises(TypeError, match="prefetch_related"):
        prefetches(5)
    for bad in (True, None, 1.5, [1]):
        with pytest.raises(TypeError, match="int, a str or a date"):
            members_named(tree.branch.path, bad)


@pytest.mark.django_db
def test_empty_result_set_is_an_empty_list(tree):
    @prepared
    def nothing(pk):
        return Member.objects.filter(pk=pk).none()

    @prepared_count
    def count_nothing(pk):
        return Member.objects.filter(pk=pk).none()

    assert nothing(1) == [] and count_nothing(1) == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the suite's other transactional tests
def test_another_thread_runs_on_its_own_connection(tree, people):
    members_named(tree.branch.path, "张")
    seen = {}

    def run():
        from django.db import connection as own

        with CaptureQueriesContext(own) as queries:
            seen["names"] = [m.name for m in members_named(tree.branch.path, "李")]
        seen["queries"] = len(queries)
        own.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert seen == {"names": ["李四"], "queries": 1}


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=6).filter(lambda s: "\x00" not in s))
def test_any_text_matches_as_the_orm_does(tree, people, name):
    assert [m.pk for m in members_named(tree.province.path, name)] == [m.pk for m in _members(tree.province.path, name)]


@prepared
def by_status(status):
    # a small-integer field (a marker out of its range would drop the lookup) and a constant equal to a marker
    return Member.objects.filter(registration_status=status).exclude(pk=29_000).order_by("id")


@pytest.mark.django_db
def test_small_integer_lookups_and_constants_that_look_like_markers(tree, people):
    mine, _ = people
    Member.objects.filter(pk=mine[0].pk).update(registration_status=RegistrationStatus.PENDING)
    for status in RegistrationStatus.values + [99_999]:
        assert [m.pk for m in by_status(status)] == list(
            Member.objects.filter(registration_status=status).order_by("id").values_list("pk", flat=True)), status
    assert by_status(RegistrationStatus.PENDING)[0].pk == mine[0].pk


@prepared
def born_between(path, earliest, latest):
    return Member.objects.filter(branch__path__startswith=path, birth_date__gte=earliest,
                                 birth_date__lte=latest).order_by("id")


@pytest.mark.django_db
def test_dates_as_the_queryset_gives_them(tree, people):
    from datetime import date

    mine, theirs = people
    Member.objects.filter(pk=mine[0].pk).update(birth_date=date(2001, 5, 4))
    for earliest, latest in ((date(2001, 5, 4), date(2001, 5, 4)), (date(1990, 1, 1), date(2010, 1, 1)),
                             (date(2001, 5, 5), date(2030, 1, 1)), (date(1001, 1, 1), date(1001, 1, 1))):
        assert [m.pk for m in born_between(tree.province.path, earliest, latest)] == list(
            Member.objects.filter(birth_date__gte=earliest, birth_date__lte=latest).order_by("id")
            .values_list("pk", flat=True)), (earliest, latest)
    assert [m.pk for m in born_between(tree.province.path, date(2001, 5, 4), date(2001, 5, 4))] == [mine[0].pk]
    from datetime import datetime

    with pytest.raises(TypeError, match="int, a str or a date"):
        born_between(tree.province.path, datetime(2001, 5, 4), date(2001, 5, 4))


@pytest.mark.django_db
def test_counts_of_slices_and_groups_are_those_of_the_queryset(tree, people, branch2):
    from django.db.models import Count

    @prepared_count
    def first_named(path, name):
        return _members(path, name)[:3]

    @prepared_count
    def branches_with(path, least):
        return (Member.objects.filter(branch__path__startswith=path).values("branch_id").annotate(n=Count("pk"))
                .filter(n__gte=least))

    make_member(branch2)
    assert first_named(tree.province.path, "") == 3 and first_named(tree.branch.path, "李") == 1
    for least in (1, 2, 5, 6):
        want = (Member.objects.filter(branch__path__startswith=tree.province.path).values("branch_id")
                .annotate(n=Count("pk")).filter(n__gte=least).count())
        assert branches_with(tree.province.path, least) == want, least


@pytest.mark.django_db
def test_the_shapes_kept_are_bounded(tree, people, monkeypatch):
    import portal.prepared

    monkeypatch.setattr(portal.prepared, "MAX_SHAPES", 3)

    @prepared
    def first(path, *, n):
        return Member.objects.filter(branch__path__startswith=path).order_by("id")[:n]

    for n in range(1, 8):
        assert len(first(tree.province.path, n=n)) == min(n, 10)
    assert len(first._compiled) == 3 and [key[1] for key in first._compiled] == [(("n", 5),), (("n", 6),), (("n", 7),)]


def test_keep_holds_at_most_so_many_entries_dropping_the_oldest():
    from portal.prepared import keep

    store = {}
    for n in range(5):
        keep(store, n, str(n), 3)
    assert store == {2: "2", 3: "3", 4: "4"}
