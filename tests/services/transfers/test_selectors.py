"""Scope of transfer reads and the statistics counts."""

import pytest
from django.http import Http404

from services.transfers import review, selectors, start

from ...factories import actor_of, make_member
from .conftest import application, pks


def test_both_sides_see_the_record_a_sibling_does_not(w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    for org in (w.jia1, w.p_jia, w.tianhe, w.bing1, w.p_bing, w.yuexiu, w.gz, w.province):
        assert selectors.transfer_get(actor=actor_of(org), pk=t.pk) == t
    for org in (w.jia2, w.p_yi, w.sz, w.ding1):
        with pytest.raises(Http404):
            selectors.transfer_get(actor=actor_of(org), pk=t.pk)
    assert pks(selectors.transfer_page(actor=actor_of(w.sz), filters={})[0]) == []
    assert pks(selectors.transfer_page(actor=actor_of(w.gz), filters={"side": "out"})[0]) == [t.pk]
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


def test_pages_follow_the_cursor_alike_with_and_without_a_date_filter(w):
    """A page ends where the next begins, on the stored rows (``side`` all/out/in) and on the review
    index (todo); a date filter takes the ORM's path and gives the same pages."""
    from django.utils import timezone

    made = [start.transfer_apply(member=w.member, data=application(w.bing1)).pk]
    for name in ("李二", "王三", "赵四"):
        made.append(start.transfer_apply(member=make_member(w.jia1, name=name), data=application(w.bing1)).pk)
    newest_first = sorted(made, reverse=True)
    today = {"date_from": timezone.localdate()}
    for org, side in ((w.gz, ""), (w.tianhe, "out"), (w.bing1, "in"), (w.jia1, "todo")):
        for extra in ({}, today):
            shown, after = [], None
            while True:
                rows, after = selectors.transfer_page(actor=actor_of(org), filters={"side": side, **extra},
                                                      after=after, size=3)
                shown.append(pks(rows))
                if after is None:
                    break
            assert shown == [newest_first[:3], newest_first[3:]], (org, side, extra)
    row = selectors.transfer_page(actor=actor_of(w.jia1), filters={})[0][-1]
    assert (row.member_name, row.status_label, row.from_branch_name, row.target_label, row.reviewer_id) == (
        "张转接", "转出团支部待审核", w.jia1.full_name, w.bing1.full_name, w.jia1.pk)
    assert row.masked_id.count("*") == 8
