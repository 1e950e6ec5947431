"""The stored orgs of each transfer (``TransferOrg``) equal the two branches' subtrees, after a start, a
move of an org in the tree, and the migration's backfill."""

import importlib

import pytest
from django.apps import apps
from django.http import Http404

from orgtree import services as orgtree_services
from orgtree.models import Organization
from services.transfers import selectors, start
from services.transfers.models import TransferOrg

from ...factories import actor_of, make_member
from .conftest import application, pks

OUT_OF_PROVINCE = {"transfer_type": 2, "out_province": "湖南省", "out_org": "共青团长沙市某公司委员会",
                   "destination": "长沙", "reason": 1}


def expected(transfer):
    """What the tree says: every org whose subtree holds a branch, with the sides it holds."""
    transfer.refresh_from_db()
    out = transfer.from_branch.path
    into = transfer.to_branch.path if transfer.to_branch_id else ""
    return {(o.pk, out.startswith(o.path), bool(into) and into.startswith(o.path))
            for o in Organization.objects.all() if out.startswith(o.path) or (into and into.startswith(o.path))}


def stored(transfer):
    return set(TransferOrg.objects.filter(transfer=transfer).values_list("org_id", "outgoing", "incoming"))


def test_a_started_transfer_is_seen_by_every_org_above_either_branch(w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    rows = stored(t)
    assert rows == expected(t)
    assert (w.gz.pk, True, True) in rows and (w.province.pk, True, True) in rows  # above both: one row
    assert (w.tianhe.pk, True, False) in rows and (w.yuexiu.pk, False, True) in rows
    assert (w.jia1.pk, True, False) in rows and (w.bing1.pk, False, True) in rows
    assert not {org for org, _, _ in rows} & {w.sz.pk, w.jia2.pk, w.p_yi.pk, w.ding1.pk}


def test_out_of_the_province_only_the_outgoing_side_sees_it(w):
    t = start.transfer_apply(member=w.member, data=OUT_OF_PROVINCE)
    assert stored(t) == expected(t) == {(o.pk, True, False) for o in (w.province, w.gz, w.tianhe, w.p_jia, w.jia1)}


def test_a_moved_org_takes_its_transfers_to_its_new_ancestors(w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    untouched = start.transfer_apply(member=make_member(w.yi1, name="李不动"), data=application(w.jia2))
    before = stored(untouched)
    orgtree_services.org_move(actor=actor_of(w.province), orgs=[w.p_jia], new_parent=w.nanshan)
    assert stored(t) == expected(t)
    assert (w.sz.pk, True, False) in stored(t) and (w.nanshan.pk, True, False) in stored(t)
    assert (w.gz.pk, False, True) in stored(t)  # still above the incoming branch
    assert selectors.transfer_get(actor=actor_of(w.sz), pk=t.pk) == t
    assert pks(selectors.transfer_page(actor=actor_of(w.nanshan), filters={"side": "out"})[0]) == [t.pk]
    with pytest.raises(Http404):  # 天河区 no longer holds either branch
        selectors.transfer_get(actor=actor_of(w.tianhe), pk=t.pk)
    assert t.pk not in pks(selectors.transfer_page(actor=actor_of(w.tianhe), filters={})[0])
    assert pks(selectors.transfer_page(actor=actor_of(w.gz), filters={"side": "out"})[0]) == [untouched.pk]
    assert pks(selectors.transfer_page(actor=actor_of(w.gz), filters={"side": "in"})[0]) == [t.pk]  # 甲二支部 left
    # 甲二支部 moved too: the other transfer's incoming side follows it
    assert stored(untouched) == expected(untouched) != before


def test_the_migration_backfills_what_the_service_writes(w):
    made = [start.transfer_apply(member=w.member, data=application(w.bing1)),
            start.transfer_apply(member=make_member(w.yi1, name="李二"), data=OUT_OF_PROVINCE),
            start.transfer_apply(member=make_member(w.ding1, name="王三"), data=application(w.jia2))]
    written = {t.pk: stored(t) for t in made}
    TransferOrg.objects.all().delete()
    migration = importlib.import_module("services.transfers.migrations.0003_transfer_orgs")
    migration.BATCH = 2  # more than one batch
    try:
        migration.backfill(apps, None)
    finally:
        migration.BATCH = 1000
    assert {t.pk: stored(t) for t in made} == written
