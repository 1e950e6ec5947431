"""bench_cadre_import keeps working (measured by hand, not here: no timing asserts)."""

import io
import json

import pytest
from django.core.management import call_command

from services.cadres.models import CadreImport, CadrePost

pytestmark = pytest.mark.django_db


def test_bench_cadre_import_imports_searches_and_ends_with_one_json_line():
    out = io.StringIO()
    call_command("bench_cadre_import", rows=60, cadres=300, orgs=150, samples=20, warmup=2, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "cadre_import" and result["rows"] == 60 and result["cadres"] == 300
    for key in ("import_s", "directory_p95_ms", "directory_2char_p95_ms", "trivial_p95_ms", "ratio", "ratio_2char"):
        assert result[key] > 0
    assert CadreImport.objects.get().imported == 60
    assert CadrePost.objects.count() == 360
    call_command("bench_cadre_import", rows=60, cadres=300, orgs=150, samples=20, warmup=2, stdout=io.StringIO())
    assert CadrePost.objects.count() == 360  # reused, and last run's import replaced
