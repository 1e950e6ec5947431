"""Bad parameters never make a 500 (issue 11 item 7): every project URL, filled with the actor's own
objects, gets every GET parameter and form field it shows (plus the parameters views commonly read)
set to malformed values — by a fixed list of the usual suspects and by hypothesis — as GET and POST.

Each request runs in a savepoint that is rolled back, as in the scope sweep (whose province it reuses).
Wagtail's and Django admin's own views are vendor code and are left to the sweep.
"""

import logging
import re
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from .scope_sweep.engine import _paths
from .scope_sweep.urls import all_urls
from .scope_sweep.world import build

ACCOUNT = "portal.backends.AccountBackend"
WECHAT = "portal.backends.WeChatBackend"
VENDOR = re.compile(r"^(wagtail|admin:|axes)")
SKIP_NAMES = ("logout", "oauth")  # a logout ends the session the next requests need; OAuth has its own test
COMMON = ["after", "page", "q", "status", "node", "next", "tab", "org", "member", "branch", "ids", "post",
          "decision", "kind", "id", "sq", "download", "reason", "name", "id_number"]
BAD = ["abc", "-1", "9" * 40, "1.5", "[]", "null", "\u202e\u200b", "x" * 3000, "'\"<>%;--", " "]
_FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


def _actor_for(path, w):
    """Who uses a path: the branch's org account on /manage/, the operator in WeChat Work on /m/cadre/,
    the member on /m/, nobody elsewhere."""
    if path.startswith("/manage/"):
        return w.a.accounts[w.a.branch.pk], ACCOUNT
    if path.startswith("/m/cadre/"):
        return w.a.operator_work_user, WECHAT
    if path.startswith("/m/"):
        return w.a.member_user, WECHAT
    return None


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker, _fake_wechat_server):
    from django.core.cache import cache

    with django_db_blocker.unblock():
        with transaction.atomic():
            try:
                cache.clear()
                world = build(_fake_wechat_server.settings)
                own = SimpleNamespace(**{**vars(world), "b": world.a})  # the fillers' 乙 objects are now 甲's
                targets = []
                for url in all_urls():
                    if url.name and (VENDOR.match(url.name) or any(s in url.name for s in SKIP_NAMES)):
                        continue
                    if url.route.startswith(("cms/", "django-admin/", "static/", "media/")):
                        continue
                    for path, _, _ in _paths(url, own):
                        targets.append((url, path))
                yield SimpleNamespace(world=world, targets=targets, clients={})
            finally:
                transaction.set_rollback(True)
                cache.clear()


def _client(province, path):
    login = _actor_for(path, province.world)
    key = login[0].pk if login else None
    if key not in province.clients:
        client = Client()
        if login:
            client.force_login(login[0], backend=login[1])
        province.clients[key] = client
    return province.clients[key]


logging.getLogger("django.request").setLevel(logging.CRITICAL)  # thousands of 404s/400s are the point


def _send(client, method, path, data):
    """Status code, or the exception a view let escape (a 500 in production)."""
    try:
        with transaction.atomic():
            response = getattr(client, method)(path, data)
            transaction.set_rollback(True)
        return response.status_code
    except Exception as exc:  # noqa: BLE001 - any escaping exception is the finding
        return f"{exc.__class__.__name__}: {str(exc)[:200]}"


def _fields(province):
    """(url, path, parameter names) for every target: what its page shows, and the common ones."""
    if not hasattr(province, "fields"):
        found = []
        for url, path in province.targets:
            client = _client(province, path)
            try:
                html = client.get(path).content.decode(errors="replace")
            except Exception:  # noqa: BLE001 - a GET that fails is reported by the fuzz itself
                html = ""
            names = sorted(set(_FIELD.findall(html)) - {"csrfmiddlewaretoken"})
            found.append((url, path, names + [c for c in COMMON if c not in names]))
        province.fields = found
    return province.fields


def _bad(status):
    # 503 is a deliberate answer (e.g. the 公众号 login before WeChat is configured); 500 never is
    return not isinstance(status, int) or status == 500


@pytest.mark.django_db
def test_malformed_values_in_every_parameter_never_make_a_500(province):
    problems, requests = [], 0
    targets = _fields(province)
    for url, path, names in targets:
        client = _client(province, path)
        for value in BAD:
            for method in ("get", "post"):
                status = _send(client, method, path, {name: value for name in names})
                requests += 1
                if _bad(status):
                    problems.append(f"{method.upper()} {path} ({url.key}) all params={value[:20]!r}: {status}")
    print(f"param fuzz: {len(targets)} URLs, {sum(len(n) for _, _, n in targets)} URL×parameter pairs, "
          f"{requests} requests with malformed values")
    assert not problems, f"{len(problems)} 500s:\n" + "\n".join(problems[:60])


@pytest.mark.django_db
@hsettings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_hypothesis_values_one_parameter_at_a_time(province, data):
    targets = _fields(province)
    url, path, names = data.draw(st.sampled_from(targets), label="url")
    name = data.draw(st.sampled_from(names), label="parameter")
    chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")  # what HTTP can carry
    value = data.draw(st.one_of(
        st.text(alphabet=chars, max_size=60),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.lists(st.text(max_size=5, alphabet=chars), max_size=3),
    ), label="value")
    method = data.draw(st.sampled_from(["get", "post"]), label="method")
    status = _send(_client(province, path), method, path, {name: value})
    assert not _bad(status), f"{method.upper()} {path} ({url.key}) {name}={value!r}: {status}"
