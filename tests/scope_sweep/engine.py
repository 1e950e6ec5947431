"""The sweep's machinery: plan the requests from the registry, send them as one actor, judge the answers.

Each request runs in a savepoint that is rolled back afterwards, so no request sees another's writes,
and the client's cookies are put back, so a logout (or a login) in one request leaves the next alone.
Writes are seen by triggers on every table (``ChangeLog``): any INSERT, UPDATE or DELETE a request
makes — in any column, through the ORM or raw SQL — is named by table and operation.
"""

import io
import itertools
import json
import zipfile
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponseForbidden
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse

from . import registry
from .urls import all_urls

CSRF_FAILED_HEADER = "X-Scope-Sweep-Csrf-Failed"
SCOPED, OWN, UNSCOPED = "scoped", "own", "unscoped"


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW during the sweep: a refusal that must never be mistaken for a scope refusal."""
    response = HttpResponseForbidden(f"CSRF: {reason}")
    response[CSRF_FAILED_HEADER] = reason
    return response


# --- the registry's lookups -------------------------------------------------------------------------

def _is_pattern(key):
    return "*" in key and not any(c in key for c in "^$(\\")


def lookup(table, url):
    """The entry for ``url``: by name, by route, then the first matching pattern."""
    for key in (url.name, url.route):
        if key is not None and key in table:
            return table[key]
    for key, value in table.items():
        if _is_pattern(key) and (fnmatchcase(url.name or "", key) or fnmatchcase(url.route, key)):
            return value
    return None


def filler(url, param):
    for key in (url.name, url.route):
        if key is not None and (key, param) in registry.FILLERS:
            return registry.FILLERS[(key, param)]
    for (key, name), value in registry.FILLERS.items():
        if name == param and _is_pattern(key) and (fnmatchcase(url.name or "", key) or fnmatchcase(url.route, key)):
            return value
    return None


def missing_fillers(urls=None):
    """(url, what is missing) for every URL the sweep cannot build a request for."""
    missing = []
    for url in urls or all_urls():
        if url.needs_example:
            if lookup(registry.EXAMPLE_PATHS, url) is None:
                missing.append((url.key, "an EXAMPLE_PATHS entry (its regex is more than a literal)"))
            continue
        for param in url.params:
            if filler(url, param) is None:
                missing.append((url.key, f"a filler for parameter “{param}”"))
    return missing


# --- the plan ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Planned:
    url: object
    path: str
    method: str
    kind: str  # SCOPED, OWN or UNSCOPED
    note: str = ""
    query: dict | None = None
    data: dict | None = None
    refuse: tuple = ()  # actors who must be refused even where the URL is UNSCOPED

    def describe(self):
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""  # readable
        data = f" body={self.data}" if self.data else ""
        note = f" [{self.note}]" if self.note else ""
        return f"{self.method} {self.path}{query}{data} ({self.url.key}){note}"


def _values(make, world):
    value = make(world)
    return list(value) if isinstance(value, list | tuple) else [value]


def _paths(url, world, overrides=None):
    """(path, sibling, note) for each combination of the URL's parameter values."""
    if url.needs_example:
        return [(p, False, "") for p in _values(lookup(registry.EXAMPLE_PATHS, url), world)]
    params = url.params
    fills = [(overrides or {}).get(p) or filler(url, p) for p in params]
    if any(f is None for f in fills):
        return []
    sibling = any(f.sibling for f in fills)
    out = []
    for combo in itertools.product(*[_values(f.make, world) for f in fills]):
        values = dict(zip(params, combo, strict=True))
        path = url.build(values)
        if not url.resolves_here(path):
            raise AssertionError(f"{url.key}: the path {path} built from {values} reaches another URL pattern")
        out.append((path, sibling, ", ".join(f"{k}={v}" for k, v in values.items())))
    return out


def plan(world, urls=None):
    planned = []
    for url in urls or all_urls():
        unscoped = lookup(registry.UNSCOPED, url)
        body = lookup(registry.POST_BODIES, url)
        for path, sibling, note in _paths(url, world):
            kind = UNSCOPED if unscoped else (SCOPED if sibling else OWN)
            refuse = unscoped.refuse if unscoped else ()
            planned.append(Planned(url, path, "GET", kind, note, refuse=refuse))
            if url.accepts_post:
                planned.append(Planned(url, path, "POST", kind, note, data=body(world) if body else None,
                                       refuse=refuse))
        for probe in registry.PROBES.get(url.key, ()):
            kind = UNSCOPED if unscoped else (SCOPED if probe.scoped else OWN)
            for path, _, note in _paths(url, world, probe.params):
                for method in probe.methods:
                    planned.append(Planned(
                        url, path, method, kind, f"{probe.note}; {note}".strip("; "),
                        query=probe.query(world) if probe.query else None,
                        data=probe.data(world) if probe.data else None,
                        refuse=unscoped.refuse if unscoped else ()))
    return planned


# --- what the database saw --------------------------------------------------------------------------

class ChangeLog:
    """A trigger on every table (but the excluded bookkeeping) logs each row written to ``TABLE``.

    Created inside the sweep's transaction, so the triggers and the log vanish with its rollback.
    """

    TABLE = "scope_sweep_change"

    def __init__(self):
        self.tables = []

    def install(self):
        vendor = connection.vendor
        existing = set(connection.introspection.table_names())
        unknown = set(registry.EXCLUDED_TABLES) - existing
        assert not unknown, f"EXCLUDED_TABLES names tables that do not exist: {sorted(unknown)}"
        self.tables = sorted(t for t in self._real_tables() if t not in registry.EXCLUDED_TABLES)
        with connection.cursor() as cur:
            if vendor == "postgresql":
                cur.execute(f"CREATE TABLE {self.TABLE} (id bigserial PRIMARY KEY, tbl varchar(200), op varchar(10))")
                cur.execute(f"""CREATE FUNCTION scope_sweep_log() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN INSERT INTO {self.TABLE} (tbl, op) VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$""")
                for t in self.tables:
                    cur.execute(f'CREATE TRIGGER scope_sweep_log AFTER INSERT OR UPDATE OR DELETE ON "{t}" '
                                "FOR EACH ROW EXECUTE FUNCTION scope_sweep_log()")
            elif vendor == "sqlite":
                cur.execute(f"CREATE TABLE {self.TABLE} (id integer PRIMARY KEY, tbl varchar(200), op varchar(10))")
                for t in self.tables:
                    for op in ("INSERT", "UPDATE", "DELETE"):
                        cur.execute(f'CREATE TRIGGER "scope_sweep_{op}_{t}" AFTER {op} ON "{t}" '
                                    f"BEGIN INSERT INTO {self.TABLE} (tbl, op) VALUES ('{t}', '{op}'); END")
            else:  # pragma: no cover
                raise NotImplementedError(f"the scope sweep's change log does not know {vendor}")

    def _real_tables(self):
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                # Full-text search virtual tables (Wagtail's search index) and their shadow tables take no triggers.
                cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                rows = cur.fetchall()
                virtual = {n for n, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")}
                return [n for n, _ in rows if n not in virtual and not any(n.startswith(v + "_") for v in virtual)]
            return [t.name for t in connection.introspection.get_table_list(cur) if t.type == "t"]

    def mark(self):
        """Where the log stands now: what was written before (the actor's login) is not a request's."""
        with connection.cursor() as cur:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.TABLE}")
            return cur.fetchone()[0]

    def read(self, since):
        with connection.cursor() as cur:
            cur.execute(f"SELECT tbl, op, COUNT(*) FROM {self.TABLE} WHERE id > %s GROUP BY tbl, op ORDER BY tbl, op",
                        [since])
            return [f"{op} {tbl} ×{n}" for tbl, op, n in cur.fetchall()]


# --- one actor's run --------------------------------------------------------------------------------

def refusal_paths():
    """Where a refusal may send the person: a login page of any end, or (Wagtail's way of saying 403 to a
    CMS login) the CMS dashboard with a 'no permission' message."""
    return {reverse(n) for n in ("portal:login", "mobile:member_login", "mobile:cadre_login", "wagtailadmin_login",
                                 "admin:login", "wagtailadmin_home")}


def _text(response):
    """What the person sees, as text: HTML, JSON with its Chinese unescaped, an .xlsx's cells."""
    if getattr(response, "streaming", False):
        # The test client closes a streaming response once consumed (closing it again here would fire
        # request_finished with close_old_connections connected, and drop the sweep's connection).
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        except zipfile.BadZipFile:
            pass
    text = content.decode("utf-8", "replace")
    if "json" in response.get("Content-Type", ""):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


@dataclass
class Outcome:
    planned: Planned
    status: int | None = None
    location: str = ""
    error: str = ""
    changes: list = field(default_factory=list)
    leaked: list = field(default_factory=list)
    csrf_failed: str | None = None


class Sweeper:
    def __init__(self, world, changelog, markers):
        self.world = world
        self.changelog = changelog
        self.markers = markers
        self.refusal_paths = refusal_paths()
        request = RequestFactory().get("/")
        self.csrf_token = get_token(request)
        self.csrf_secret = request.META["CSRF_COOKIE"]
        # Each request is rolled back, so the log stands where it stood after the actor's login.
        self.since = changelog.mark()
        self.tally = {}  # how the scoped requests were answered: status (or "redirect") → count

    def send(self, client, planned):
        out = self._send(client, planned)
        if out.planned.kind == SCOPED:
            how = "redirect" if out.status in (301, 302) else str(out.status)
            self.tally[how] = self.tally.get(how, 0) + 1
        return out

    def _send(self, client, planned):
        saved = {k: m.value for k, m in client.cookies.items()}
        client.cookies[settings.CSRF_COOKIE_NAME] = self.csrf_secret
        out = Outcome(planned)
        with transaction.atomic():
            try:
                if planned.method == "GET":
                    response = client.get(planned.path, planned.query or {})
                else:
                    path = planned.path
                    if planned.query:
                        path += "?" + urlencode(planned.query, doseq=True)
                    response = client.post(path, {**(planned.data or {}), "csrfmiddlewaretoken": self.csrf_token})
            except Exception as exc:  # noqa: BLE001 - a crash is what the sweep reports
                out.error = f"{type(exc).__name__}: {exc}"[:300]
                response = None
            try:
                out.changes = self.changelog.read(self.since)
            except Exception as exc:  # noqa: BLE001 - e.g. a transaction the view left broken
                out.changes = [f"(could not read the change log: {type(exc).__name__})"]
            transaction.set_rollback(True)
        if response is not None:
            out.status = response.status_code
            out.location = response.get("Location", "")
            out.csrf_failed = response.get(CSRF_FAILED_HEADER)
            text = _text(response)
            out.leaked = [m for m in self.markers if m in text]
        client.cookies = SimpleCookie()
        for k, v in saved.items():
            client.cookies[k] = v
        cache.clear()  # rolled-back rows must not live on in a cache (feeds, tokens)
        return out

    def refused(self, out, strict=False):
        if out.status in (403, 404, 405):  # 405: the wrong method, which says nothing about the object
            return True
        return not strict and out.status in (301, 302) and urlsplit(out.location).path in self.refusal_paths

    def problems(self, actor, out):
        p = out.planned
        found = []
        tolerated = registry.VENDOR_CRASHES.get((p.url.key, p.method))
        if out.error and not tolerated:
            found.append(f"crashed: {out.error}")
        elif not out.error and out.status >= 500:
            found.append(f"answered {out.status}")
        if out.csrf_failed is not None:
            found.append(f"CSRF refused the sweep's POST ({out.csrf_failed}): the refusal proves nothing")
        must_refuse = p.kind == SCOPED or actor in p.refuse
        strict = actor in (lookup(registry.STRICT_REFUSALS, p.url) or ())
        if must_refuse and not out.error and not self.refused(out, strict):
            where = f" → {out.location}" if out.location else ""
            page = " by a 404/403 page (no redirect)" if strict else ""
            found.append(f"not refused{page}: answered {out.status}{where}")
        if (p.kind != UNSCOPED or must_refuse) and out.changes:
            found.append(f"wrote to the database: {', '.join(out.changes)}")
        if (p.kind == OWN or must_refuse) and out.leaked:
            found.append(f"shows 乙's {', '.join(out.leaked)}")
        return found
