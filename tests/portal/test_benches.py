"""make bench's summary table and bench_pages (figures are measured by hand: no timing asserts)."""

import io
import json

import pytest
from django.core.management import call_command

from portal.benches import BENCHES, Figure
from portal.models import AuditLog
from services.messaging.models import Message


def test_a_figure_against_its_baseline_and_against_an_absolute_goal():
    ratio = Figure("页", "page_p95_ms", "trivial_p95_ms", 2.0)
    assert ratio.row({"page_p95_ms": 8.0, "trivial_p95_ms": 4.0}) == (8.0, 4.0, 2.0, True)
    assert ratio.row({"page_p95_ms": 8.2, "trivial_p95_ms": 4.0}) == (8.2, 4.0, 2.05, False)
    assert ratio.row({"trivial_p95_ms": 4.0})[3] is False  # a missing figure is not a pass
    absolute = Figure("导入", "import_s", None, 30, "s")
    assert absolute.row({"import_s": 29.9})[3] and not absolute.row({"import_s": 30.1})[3]


def test_every_bench_in_the_table_is_a_command():
    from django.core.management import get_commands

    commands = get_commands()
    assert all(b.command in commands for b in BENCHES)
    assert {"bench_members", "bench_pages", "seed_scale"} <= {b.command for b in BENCHES}


@pytest.mark.django_db
def test_run_benches_refuses_sqlite_unless_asked_and_unknown_benches():
    from django.core.management.base import CommandError
    from django.db import connection

    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("run_benches", stdout=io.StringIO())
    with pytest.raises(CommandError, match="未知的基准"):  # and nothing started
        call_command("run_benches", only=["bench_nope"], allow_sqlite=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_bench_pages_loads_its_messages_and_log_once_and_ends_with_one_json_line():
    from services.members.management.commands.seed_scale import BIG_BRANCH

    call_command("seed_scale", orgs=200, members=BIG_BRANCH + 10, measure=0, stdout=io.StringIO())
    for _ in range(2):  # the second run reuses what the first loaded
        out = io.StringIO()
        call_command("bench_pages", messages=30, audit=120, samples=3, warmup=1, stdout=out)
        result = json.loads(out.getvalue().strip().splitlines()[-1])
        assert result["bench"] == "pages"
        for key in ("member_detail", "messages", "audit_log", "manage_home", "trivial"):
            assert result[f"{key}_p95_ms"] > 0
    assert Message.objects.filter(subject_type="bench.pages").count() == 30
    assert AuditLog.objects.filter(action="bench.pages").count() == 120
