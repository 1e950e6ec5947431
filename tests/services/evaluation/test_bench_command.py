"""bench_evaluation keeps working (measured by hand, not here: no timing asserts)."""

import io
import json

import pytest
from django.core.management import call_command

from services.evaluation.models import AnnualRegistration, EvaluationGrade, RegistrationTally
from services.members.management.commands.seed_scale import BIG_BRANCH

pytestmark = pytest.mark.django_db


def test_bench_evaluation_ends_with_one_json_line():
    out = io.StringIO()
    call_command("bench_evaluation", orgs=200, members=BIG_BRANCH + 400, samples=3, warmup=1, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "evaluation" and result["branch_members"] == 50
    assert result["entry_ratio"] > 0 and result["progress_ratio"] > 0
    rows = AnnualRegistration.objects.count()
    assert result["registrations"] == rows >= BIG_BRANCH + 400
    assert EvaluationGrade.objects.count() == 50
    root_tally = RegistrationTally.objects.order_by("org__depth").first()
    assert root_tally.members == rows
    call_command("bench_evaluation", orgs=200, members=BIG_BRANCH + 400, samples=2, warmup=0, stdout=io.StringIO())
    assert AnnualRegistration.objects.count() == rows  # the data is reused


def test_a_dense_data_set_gets_its_own_50_member_branch():
    from services.evaluation.management.commands import bench_evaluation
    from services.members.models import IN_GOOD_STANDING, Member

    call_command("seed_scale", orgs=200, members=BIG_BRANCH + 400, stdout=io.StringIO())
    from orgtree.management.commands.bench_orgtree import Command as OrgBench

    command = bench_evaluation.Command()
    root = OrgBench()._existing_root()
    branch = command._new_branch(root)
    assert branch.is_branch and branch.path.startswith(root.path)
    assert command._branch(root) == branch  # found by name on every run
    assert Member.objects.filter(IN_GOOD_STANDING, branch=branch).count() == 50
