"""The feed benchmark keeps working (it is measured by hand, not here: no timing asserts)."""

import io
import json

import pytest
from django.core.management import call_command

from home_articles.models import ArticleKind, HomeArticle

pytestmark = pytest.mark.django_db


def test_bench_feed_builds_its_data_and_ends_with_one_json_line():
    out = io.StringIO()
    call_command("bench_feed", orgs=400, articles=60, members=5, samples=20, warmup=2, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "feed" and result["orgs"] == 400 and result["articles"] == 60
    for key in ("feed_p50_ms", "feed_p95_ms", "feed_cold_p95_ms", "trivial_p95_ms", "ratio"):
        assert result[key] > 0
    assert HomeArticle.objects.filter(kind=ArticleKind.FEATURED, publisher__depth=1).exists()
    # A second run reuses everything.
    out = io.StringIO()
    call_command("bench_feed", orgs=400, articles=60, members=5, samples=20, warmup=2, stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["reused"] is True
