"""bench_stats keeps working (timings are measured by hand, not asserted here) and leaves the figures in place."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from services.members.management.commands.seed_scale import BIG_BRANCH, bench_members
from services.members.models import Member
from services.statistics.models import OrgStat

pytestmark = pytest.mark.django_db


def test_bench_stats_ends_with_one_json_line_on_postgresql_and_changes_no_member(settings):
    call_command("seed_scale", orgs=200, members=BIG_BRANCH + 400, stdout=io.StringIO())
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="须在 PostgreSQL 上运行"):
            call_command("bench_stats", stdout=io.StringIO())
        return
    statuses = dict(bench_members().values_list("pk", "registration_status"))
    out = io.StringIO()
    call_command("bench_stats", rounds=1, samples=5, warmup=1, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "stats" and result["orgs"] == OrgStat.objects.values("org").distinct().count() >= 200
    assert result["refresh_ratio"] > 0 and result["raw_s"] > 0 and result["delta_rows"] > 0
    assert result["page_ratio"] > 0 and result["pdf_s"] > 0 and result["cold_ratio"] > 0 < result["page_cold_p95_ms"]
    # the 1,000 changes of the delta were rolled back
    assert dict(Member.objects.filter(pk__in=statuses).values_list("pk", "registration_status")) == statuses
