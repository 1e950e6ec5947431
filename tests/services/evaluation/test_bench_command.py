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
