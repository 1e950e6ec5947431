"""The scope sweep (issue 10 item 19): every URL of the project, filled with objects of the sibling subtree
乙, requested by every kind of actor of subtree 甲, must be refused (404, 403, 405 or a redirect to a login
page) with the database unchanged; pages without such parameters must not show 乙's names or write.

How to keep it green when you add a URL: see ``tests/scope_sweep/registry.py`` (one line per parameter)
and ``tests/scope_sweep/world.py`` (one object of the new workflow in 乙).

Run with ``-rA`` (or ``-s``) to see the count of requests per actor.
"""

import logging
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client

from .scope_sweep import registry
from .scope_sweep.engine import ChangeLog, Sweeper, missing_fillers, plan
from .scope_sweep.urls import all_urls
from .scope_sweep.world import build

ACCOUNT = "portal.backends.AccountBackend"
WECHAT = "portal.backends.WeChatBackend"

#: Who logs in as each actor kind of subtree 甲, and through which end's backend.
ACTORS = {
    registry.ORG_CITY: lambda w: (w.a.accounts[w.a.city.pk], ACCOUNT),  # 甲市's org account: all of 甲
    registry.ORG_BRANCH: lambda w: (w.a.accounts[w.a.branch.pk], ACCOUNT),  # 甲一支部's: the branch pages
    registry.OPERATOR: lambda w: (w.a.operator_user, ACCOUNT),  # 甲一支部's operator on /manage/
    registry.OPERATOR_WORK: lambda w: (w.a.operator_work_user, WECHAT),  # the same cadre in WeChat Work
    registry.CADRE: lambda w: (w.a.cadre_user, WECHAT),  # an ordinary cadre of 甲市 in WeChat Work
    registry.MEMBER: lambda w: (w.a.member_user, WECHAT),  # an approved member of 甲一支部 (公众号)
    registry.CMS: lambda w: (w.a.editor, ACCOUNT),  # 甲市's publicity officer in the Wagtail CMS
    registry.ANONYMOUS: lambda w: None,
}
assert set(ACTORS) == set(registry.ALL_ACTORS)

#: Each logged-in actor's own home, which must answer 200 as that actor kind: the logins work, so the
#: refusals the sweep sees are the views' and not a broken login.
HOMES = {
    registry.ORG_CITY: ("/manage/", "org_admin"),
    registry.ORG_BRANCH: ("/manage/", "org_admin"),
    registry.OPERATOR: ("/manage/", "operator"),
    registry.OPERATOR_WORK: ("/m/cadre/", "operator"),
    registry.CADRE: ("/m/cadre/", "cadre"),
    registry.MEMBER: ("/m/", "member"),
    registry.CMS: ("/cms/", "staff"),
}

_counts = {}


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker, _fake_wechat_server):
    """The province, built once for the module inside a transaction that is rolled back at the end."""
    from django.core.cache import cache

    with django_db_blocker.unblock():
        with transaction.atomic():
            try:
                cache.clear()
                world = build(_fake_wechat_server.settings)
                changelog = ChangeLog()
                changelog.install()
                yield SimpleNamespace(world=world, changelog=changelog, planned=plan(world))
            finally:
                transaction.set_rollback(True)
                cache.clear()


def test_every_url_can_be_filled_or_is_listed_as_unscoped():
    """A new URL whose parameter has no filler (and is not listed in UNSCOPED) fails here, by name."""
    missing = missing_fillers()
    assert not missing, "the scope sweep cannot fill these URLs; add to tests/scope_sweep/registry.py:\n" + \
        "\n".join(f"  {key}: needs {what}" for key, what in missing)


def test_a_new_url_without_a_filler_fails_naming_the_url_and_parameter():
    """The guard itself: a URL nobody registered is reported by its name and parameter."""
    from django.http import HttpResponse
    from django.urls import include, path
    from django.urls.resolvers import RegexPattern, URLResolver

    def view(request, pk, slug):
        return HttpResponse()

    # a namespace no app uses (transfers, which this test once named, has its fillers now)
    patterns = [path("manage/unregistered/", include(([path("<int:pk>/<slug:slug>/", view, name="detail")],
                                                      "unregistered")))]
    urls = all_urls(URLResolver(RegexPattern(r"^/"), patterns))
    assert [u.key for u in urls] == ["unregistered:detail"]
    assert missing_fillers(urls) == [("unregistered:detail", "a filler for parameter “pk”"),
                                     ("unregistered:detail", "a filler for parameter “slug”")]


def test_the_registry_names_only_urls_that_exist():
    """Stale entries (a renamed URL) would silently stop guarding anything."""
    from fnmatch import fnmatchcase

    keys = {u.name for u in all_urls() if u.name} | {u.route for u in all_urls()}

    def known(key):
        return key in keys or ("*" in key and any(fnmatchcase(k, key) for k in keys))

    stale = sorted({k for k, _ in registry.FILLERS if not known(k)} | {k for k in registry.UNSCOPED if not known(k)}
                   | {k for k in registry.PROBES if not known(k)} | {k for k in registry.POST_BODIES if not known(k)}
                   | {k for k in registry.EXAMPLE_PATHS if not known(k)})
    assert not stale, f"registry entries for URLs that no longer exist: {stale}"


@pytest.mark.django_db
def test_the_change_log_sees_every_kind_of_write(sweep):
    """The database check itself: ORM and raw-SQL inserts, updates and deletes are each seen, by table."""
    from django.db import connection

    from orgtree.models import Organization
    from services.messaging.models import Message

    log = sweep.changelog
    since = log.mark()
    assert log.read(since) == []
    Organization.objects.filter(pk=sweep.world.b.branch.pk).update(phone="13900000000")
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {Message._meta.db_table} WHERE id = %s", [sweep.world.b.org_message.pk])
    from portal.models import WeChatIdentity

    WeChatIdentity.objects.create(user=sweep.world.b.member_user, kind="work", external_id="sweep-self-test")
    assert sorted(log.read(since)) == ["DELETE messaging_message ×1", "INSERT portal_wechatidentity ×1",
                                       "UPDATE orgtree_organization ×1"]
    assert not set(registry.EXCLUDED_TABLES) & set(log.tables)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", registry.ALL_ACTORS)
def test_sweep(actor, sweep, settings, _fake_wechat_server):
    """Every URL × GET/POST as one actor of 甲: refused where it names 乙's object, never a write or a 乙 name."""
    settings.CSRF_FAILURE_VIEW = "tests.scope_sweep.engine.csrf_failure"
    settings.WECHAT = _fake_wechat_server.settings  # as in production: both WeChat logins on
    client = Client(enforce_csrf_checks=True)
    login = ACTORS[actor](sweep.world)
    if login:
        user, backend = login
        client.force_login(user, backend=backend)
        home, kind = HOMES[actor]
        response = client.get(home)
        assert response.status_code == 200, f"{actor} cannot open {home}: {response.status_code}"
        assert response.wsgi_request.actor.kind == kind
    sweeper = Sweeper(sweep.world, sweep.changelog, sweep.world.b.markers)
    quiet = logging.getLogger("django.request")
    level, quiet.level = quiet.level, logging.CRITICAL  # thousands of 404/403 warnings are the point
    problems = []
    try:
        for planned in sweep.planned:
            outcome = sweeper.send(client, planned)
            problems += [f"{planned.describe()}: {p}" for p in sweeper.problems(actor, outcome)]
    finally:
        quiet.level = level
    urls = len({p.url.route for p in sweep.planned})
    _counts[actor] = (urls, len(sweep.planned))
    print(f"scope sweep as {actor}: {len(sweep.planned)} requests over {urls} URL patterns; "
          f"requests naming 乙's objects answered {dict(sorted(sweeper.tally.items()))}")
    if problems:
        pytest.fail(f"{len(problems)} problem(s) as {actor}:\n" + "\n".join(problems), pytrace=False)


def test_sweep_summary(pytestconfig):
    """The figure for the closing note: URLs × actors requested."""
    if not _counts:
        pytest.skip("the sweep did not run")
    urls = max(u for u, _ in _counts.values())
    requests = sum(n for _, n in _counts.values())
    line = (f"scope sweep: {urls} URL patterns × {len(_counts)} actors = {urls * len(_counts)} URL×actor pairs, "
            f"{requests} requests in all")
    print(line)
    reporter = pytestconfig.pluginmanager.getplugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("\n" + line)
