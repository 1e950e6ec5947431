"""seed_scale and bench_members keep working (measured by hand, not here: no timing asserts)."""

import io
import json

import pytest
from django.core.management import call_command

from services.members.choices import LeagueStatus
from services.members.management.commands.seed_scale import BIG_BRANCH
from services.members.models import Member

pytestmark = pytest.mark.django_db


def test_seed_scale_then_bench_members_ends_with_one_json_line_and_leaves_the_data_as_it_was():
    call_command("seed_scale", orgs=200, members=BIG_BRANCH + 400, stdout=io.StringIO())
    assert Member.objects.count() == BIG_BRANCH + 400
    call_command("seed_scale", orgs=200, members=BIG_BRANCH + 400, stdout=io.StringIO())  # reused
    assert Member.objects.count() == BIG_BRANCH + 400
    out = io.StringIO()
    call_command("bench_members", samples=5, warmup=1, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "members" and result["members"] == BIG_BRANCH + 400
    assert result["aged_out"] > 0 and result["ratio"] > 0
    for key in ("root_page1", "root_page100", "branch_page1", "branch_page100"):
        assert result[f"{key}_p95_ms"] > 0
    assert not Member.objects.exclude(league_status=LeagueStatus.NORMAL).exists()  # put back


def test_bench_members_times_the_raw_sql_of_the_same_rows():
    call_command("seed_scale", orgs=200, members=BIG_BRANCH + 400, measure=0, stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_members", samples=3, warmup=1, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    # The command refuses to print figures when the raw SQL did other rows than the job.
    assert result["age_out_raw_s"] > 0 and result["age_out_ratio"] > 0
    assert not Member.objects.exclude(league_status=LeagueStatus.NORMAL).exists()


def test_seed_scale_prints_its_json_line_with_the_raw_load_baseline_on_postgresql():
    from django.db import connection

    out = io.StringIO()
    call_command("seed_scale", orgs=200, members=BIG_BRANCH + 10, measure=3000, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "seed_scale" and result["members"] == BIG_BRANCH + 10
    if connection.vendor == "postgresql":
        assert result["load_s"] > 0 and result["raw_load_s"] > 0 and result["measured_rows"] == 3000
    from django.db import connection as c
    with c.cursor() as cursor:  # the scratch tables are gone
        names = c.introspection.table_names(cursor)
    assert not [n for n in names if n.endswith("_bench_scratch")]
