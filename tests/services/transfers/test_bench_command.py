"""bench_transfers keeps working (measured by hand, not here: no timing asserts) and leaves the data as it was."""

import io
import json

import pytest
from django.core.management import call_command

from services.members.management.commands.seed_scale import BIG_BRANCH, bench_members
from services.transfers.models import Transfer, TransferStep

pytestmark = pytest.mark.django_db


def test_bench_transfers_ends_with_one_json_line_and_rolls_its_sweeps_back():
    call_command("seed_scale", orgs=200, members=BIG_BRANCH + 400, stdout=io.StringIO())
    branches = dict(bench_members().values_list("pk", "branch_id"))
    out = io.StringIO()
    call_command("bench_transfers", transfers=1000, parent_records=100, due=20, rounds=2, samples=5, warmup=1,
                 stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "transfers" and result["transfers"] == 1000
    assert result["due_at_3"] + result["due_at_4"] > 0 and result["completed"] > 0
    assert result["sweep_ratio"] > 0 and result["list_ratio"] > 0 and result["parent_records"] >= 100
    # the sweeps were rolled back: every bench transfer still open, no member moved
    assert Transfer.objects.filter(status__in=(3, 4)).count() == 1000 and not TransferStep.objects.exists()
    assert dict(bench_members().values_list("pk", "branch_id")) == branches
    out = io.StringIO()
    call_command("bench_transfers", transfers=1000, parent_records=100, due=20, rounds=1, samples=3, warmup=1,
                 stdout=out)  # reused
    assert "built" not in out.getvalue()
