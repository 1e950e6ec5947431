"""What every ``bench_<name>`` command does alike (DESIGN §7): the settings a timed run needs, an org
login for the trivial view, interleaved timing of requests, and percentiles."""

import contextlib
import gc
import math
import time
import warnings

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from .models import User

ORG_LOGIN_BACKEND = "portal.backends.AccountBackend"


@contextlib.contextmanager
def bench_settings():
    """DEBUG off (query logging would slow the run and skew the timings), the test client's host
    allowed, and WhiteNoise's "no collectstatic" warning kept away from the JSON line."""
    with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]), \
            warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        yield


def settle(*models):
    """What autovacuum does soon after a bulk load, on PostgreSQL: VACUUM ANALYZE (the visibility map
    lets counts be index-only scans), or ANALYZE alone inside a transaction (where the tests run the
    benches: VACUUM refuses one). The benches cannot wait for autovacuum: it may be off, as on the
    machines these figures come from."""
    if connection.vendor != "postgresql":
        return
    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{verb} {connection.ops.quote_name(model._meta.db_table)}")
        if not connection.in_atomic_block and _may_checkpoint(cursor):
            cursor.execute("CHECKPOINT")  # the pages VACUUM dirtied are written now, not while timing


def _may_checkpoint(cursor):
    """A superuser may ask for a checkpoint (the benches' database user is one; another is not asked)."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    return bool(cursor.fetchone()[0])


def org_client(org):
    """A test client logged in as the org's account (its one-time password requirement lifted)."""
    account = User.objects.get(organization=org, kind=User.Kind.ORG)
    if account.must_change_password:
        account.must_change_password = False
        account.save(update_fields=["must_change_password"])
    client = Client()
    client.force_login(account, backend=ORG_LOGIN_BACKEND)
    return client


def timed_get(client, path, params):
    """(seconds, response) of one GET; anything but 200 stops the benchmark."""
    t0 = time.perf_counter()
    response = client.get(path, params)
    elapsed = time.perf_counter() - t0
    if response.status_code != 200:
        raise CommandError(f"{path} {params} answered {response.status_code}")
    return elapsed, response


def round_robin(plan, warmup, before=None, inspect=None):
    """Time ``plan`` = {kind: [(client, path, params), …]} (equal lengths), interleaved.

    Round ``i`` sends request ``i`` of every kind, rotating which kind goes first, so machine noise
    falls on all alike; the first ``warmup`` rounds are not timed. ``before(kind)`` runs before
    each request, ``inspect(kind, path, params, response, timed)`` after it. Returns
    {kind: [seconds, …]}.
    """
    kinds = list(plan)
    rounds = len(plan[kinds[0]])
    timings = {k: [] for k in kinds}
    gc.collect()
    for i in range(rounds):
        for kind in kinds[i % len(kinds):] + kinds[: i % len(kinds)]:
            client, path, params = plan[kind][i]
            if before is not None:
                before(kind)
            elapsed, response = timed_get(client, path, params)
            timed = i >= warmup
            if inspect is not None:
                inspect(kind, path, params, response, timed)
            if timed:
                timings[kind].append(elapsed)
    return timings


def percentile(values, q):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def p50_p95_ms(timings):
    """{kind: (p50 ms, p95 ms)}, rounded to 0.01 ms."""
    return {k: (round(percentile(v, 50) * 1000, 2), round(percentile(v, 95) * 1000, 2)) for k, v in timings.items()}
