"""Scope of transfer reads and the statistics counts."""

import pytest
from django.http import Http404

from services.transfers import review, selectors, start

from ...factories import actor_of, make_member
from .conftest import application


def test_both_sides_see_the_record_a_sibling_does_not(w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    for org in (w.jia1, w.p_jia, w.tianhe, w.bing1, w.p_bing, w.yuexiu, w.gz, w.province):
        assert selectors.transfer_get(actor=actor_of(org), pk=t.pk) == t
    for org in (w.jia2, w.p_yi, w.sz, w.ding1):
        with pytest.raises(Http404):
            selectors.transfer_get(actor=actor_of(org), pk=t.pk)
    assert selectors.transfer_page(actor=actor_of(w.sz), filters={})[0] == []
    assert selectors.transfer_page(actor=actor_of(w.gz), filters={"side": "out"})[0] == [t]
    assert selectors.awaiting_review(actor_of(w.jia1)).count() == 1 and selectors.awaiting_review(actor_of(w.p_jia)).count() == 0


def test_transfer_counts_over_the_tree(w):
    other = make_member(w.jia1, name="李二")
    third = make_member(w.jia1, name="王三")
    pending = start.transfer_apply(member=w.member, data=application(w.bing1))
    at3 = start.transfer_apply(member=other, data=application(w.bing1))
    at3 = review.transfer_approve(actor=actor_of(w.jia1), transfer=at3, stage=1)
    at3 = review.transfer_approve(actor=actor_of(w.p_jia), transfer=at3, stage=2)
    done = start.transfer_apply(member=third, data=application(w.jia2))
    for org, stage in ((w.jia1, 1), (w.p_jia, 2), (w.jia2, 3)):
        done = review.transfer_approve(actor=actor_of(org), transfer=done, stage=stage)
    counts = selectors.transfer_counts([w.tianhe, w.yuexiu, w.bing1, w.sz, w.jia2])
    assert counts[w.tianhe.pk] == {"out_pending": 2, "out_done": 1, "in_pending": 0, "in_done": 1}
    assert counts[w.yuexiu.pk] == {"out_pending": 0, "out_done": 0, "in_pending": 1, "in_done": 0}
    assert counts[w.bing1.pk]["in_pending"] == 1
    assert counts[w.sz.pk] == {"out_pending": 0, "out_done": 0, "in_pending": 0, "in_done": 0}
    assert counts[w.jia2.pk]["in_done"] == 1
    assert pending.pk
