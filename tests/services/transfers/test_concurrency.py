"""Two reviewers acting on one stage at once: one wins, the other is told 已被处理; completion happens once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from services.members.models import Member
from services.transfers import review, start
from services.transfers.choices import StepKind, TransferStatus
from services.transfers.models import Transfer

from ...factories import actor_of, make_operator
from .conftest import application

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="row locks need PostgreSQL (runs in the PostgreSQL pass)")


def _race(func_a, func_b):
    barrier = threading.Barrier(2)
    results = []

    def run(func):
        try:
            barrier.wait()
            results.append(("ok", func()))
        except ValidationError as exc:
            results.append(("refused", exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f,)) for f in (func_a, func_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_complete_once(w):
    from portal.actors import actor_for_user

    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    for org, stage in ((w.jia1, 1), (w.p_jia, 2), (w.bing1, 3)):
        t = review.transfer_approve(actor=actor_of(org), transfer=t, stage=stage)
    admin, operator = actor_of(w.p_bing), actor_for_user(make_operator(w.p_bing, name="孙运营"))
    results = _race(lambda: review.transfer_approve(actor=admin, transfer=t, stage=4),
                    lambda: review.transfer_approve(actor=operator, transfer=t, stage=4))
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert [r[1] for r in results if r[0] == "refused"] == [[review.ERR_HANDLED]]
    t = Transfer.objects.get(pk=t.pk)
    assert t.status == TransferStatus.COMPLETED
    assert t.steps.filter(kind=StepKind.COMPLETED).count() == 1
    assert t.steps.filter(stage=4).count() == 1
    assert Member.objects.get(pk=w.member.pk).branch_id == w.bing1.pk


@pytest.mark.django_db(transaction=True)
def test_approve_and_return_at_once(w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    actor = actor_of(w.jia1)
    results = _race(lambda: review.transfer_approve(actor=actor, transfer=t, stage=1),
                    lambda: review.transfer_return(actor=actor, transfer=t, stage=1, reason="不同意"))
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert Transfer.objects.get(pk=t.pk).steps.filter(stage=1).count() == 1
