"""bench_broadcast keeps working (measured by hand, not here: no timing asserts)."""

import io
import json

import pytest
from django.core.management import call_command

from portal.models import User
from services.members.models import Member
from portal.models import WeChatIdentity
from services.messaging.models import Broadcast, Delivery, Message

pytestmark = pytest.mark.django_db


def test_bench_broadcast_fans_out_the_same_rows_as_the_baseline_and_ends_with_one_json_line():
    out = io.StringIO()
    call_command("bench_broadcast", recipients=120, rounds=2, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "broadcast" and result["recipients"] == 120 and result["rounds"] == 2
    for key in ("fan_out_s", "baseline_s", "rows_per_s", "ratio"):
        assert result[key] > 0
    assert (result["ratio_goal"], result["deliveries"]) == (2.0, 120)
    assert result["delivery_batches"] in (0, 1)  # queued on commit, which never comes inside a test's transaction
    assert WeChatIdentity.objects.filter(user__kind=User.Kind.MEMBER, kind="mp").count() == 120
    assert User.objects.filter(kind=User.Kind.MEMBER).count() == 120 == Member.objects.count()
    assert Message.objects.count() == 0 and Broadcast.objects.count() == 0  # it cleans up after itself
    assert Delivery.objects.count() == 0
    call_command("bench_broadcast", recipients=100, rounds=1, stdout=io.StringIO())  # reuses, trims
    assert User.objects.filter(kind=User.Kind.MEMBER).count() == 100 == Member.objects.count()
