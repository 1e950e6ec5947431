"""The benchmark command keeps working (it is measured by hand, not here: no timing asserts)."""

import io
import json

import pytest
from django.core.management import call_command

from orgtree.models import Organization

pytestmark = pytest.mark.django_db


def test_bench_orgtree_builds_a_consistent_tree_and_ends_with_one_json_line():
    out = io.StringIO()
    call_command("bench_orgtree", orgs=400, samples=20, warmup=2, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "orgtree" and result["orgs"] == 400 and result["reused"] is False
    for key in ("children_p95_ms", "search_p95_ms", "trivial_p95_ms", "children_ratio", "search_ratio"):
        assert result[key] > 0
    root = Organization.objects.get(depth=1, is_system=False)
    assert Organization.objects.filter(path__startswith=root.path).count() == 400
    assert Organization.find_problems() == ([], [], [], [], [])
    assert Organization.objects.filter(path__startswith=root.path).values("code").distinct().count() == 400
