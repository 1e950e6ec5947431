"""N+1 guards: every list page makes the same number of queries for one row as for a full page, so a
query per row fails here rather than in a benchmark (issue 16 item 5, started)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgtree.rules import OrgType
from services.messaging.services import notify

from .factories import actor_of, login, make_child, make_member

pytestmark = pytest.mark.django_db
FULL = 15


def _queries(client, url):
    client.get(url)  # warm: session, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _same_for_one_and_many(client, url, add_rows):
    add_rows(1)
    one = _queries(client, url)
    add_rows(FULL - 1)
    many = _queries(client, url)
    assert many == one, f"{url}: {one} queries for 1 row, {many} for {FULL} — a query per row"


def test_member_lists(client, tree):
    login(client, tree.general)  # an ancestor: rows from several branches
    branch2 = make_child(tree.general, OrgType.BRANCH, "研发二部")
    count = iter(range(1000))

    def add(n):
        for _ in range(n):
            make_member(tree.branch if next(count) % 2 else branch2)

    _same_for_one_and_many(client, reverse("members:manage_list"), add)


def test_member_batch_results(client, tree):
    from services.members import review

    members = []
    login(client, tree.branch)

    def add(n):
        members.extend(make_member(tree.branch, approved=False) for _ in range(n))

    add(1)
    with CaptureQueriesContext(connection) as one:
        client.post(reverse("members:approve_batch"), {"ids": [m.pk for m in members]})
    add(FULL - 1)
    with CaptureQueriesContext(connection) as many:
        client.post(reverse("members:approve_batch"), {"ids": [m.pk for m in members[1:]]})
    # each approval is its own transaction (the same checks as one approval): a bounded cost per member
    per_member = (len(many.captured_queries) - len(one.captured_queries)) / (FULL - 2)
    assert per_member <= 20 and review.BATCH_APPROVE_LIMIT <= 100


def test_org_children_and_cadres(client, tree):
    from services.cadres.services import cadre_create

    from .factories import make_id_number

    login(client, tree.committee)
    n = iter(range(1000))

    def add_orgs(k):
        for _ in range(k):
            make_child(tree.committee, OrgType.BRANCH, f"支部{next(n)}")

    _same_for_one_and_many(client, reverse("orgtree:list"), add_orgs)

    def add_cadres(k):
        for _ in range(k):
            i = next(n)
            cadre_create(actor=actor_of(tree.committee), data={
                "id_type": 1, "id_number": make_id_number("19960101", seq=500 + i), "name": "王志强",
                "phone": f"1380013{i:04d}", "nation": 1, "political_status": 1, "education": 5, "title": "委员",
                "nature": 2})

    _same_for_one_and_many(client, reverse("cadres:list"), add_cadres)


def test_messages_and_audit_log(client, tree):
    login(client, tree.branch)

    def add_messages(k):
        for i in range(k):
            notify(recipient=tree.branch, title=f"通知{i}", body="内容", link="/manage/", sender_org=tree.general)

    _same_for_one_and_many(client, reverse("messaging:manage_list"), add_messages)

    def add_audit(k):
        from portal.audit import audit_record

        for i in range(k):
            audit_record(actor=actor_of(tree.branch), action="org.change_phone", obj=tree.branch,
                         after={"联系电话": f"1380000{i:04d}"})

    _same_for_one_and_many(client, reverse("portal:audit_list"), add_audit)


def test_award_and_evaluation_lists(client, tree):
    """奖惩记录, 奖励审核, the member's 奖惩信息, 成长档案 and the grade sheet: no query per row."""
    from datetime import date

    from services.awards import punishments
    from services.awards import services as awards
    from services.evaluation import services as evaluation

    from .factories import login_person, png_upload

    members = []
    award = {"name": "优秀团员", "has_level": False, "awarded_on": date(2024, 5, 4), "awarding_org_name": "团区委"}

    def add(n):
        for _ in range(n):
            m = make_member(tree.branch)
            members.append(m)
            awards.awards_enter(actor=actor_of(tree.branch), member_ids=[m.pk], data=award, files=[png_upload()])
            awards.award_declare(member=m, kind=2, data=award, files=[png_upload()])
            punishments.punishments_enter(actor=actor_of(tree.branch), member_ids=[m.pk], kind=1,
                                          punished_on=date(2024, 1, 1), relieve_on=date(2099, 1, 1),
                                          files=[png_upload()])

    login(client, tree.branch)
    add(1)
    one = {url: _queries(client, url) for url in (
        reverse("awards:records"), reverse("awards:review_list"), reverse("evaluation:branch_archive"),
        reverse("evaluation:grades") + "?year=2025")}
    add(FULL - 1)
    for url, count in one.items():
        assert _queries(client, url) == count, url
    evaluation.grades_save(actor=actor_of(tree.branch), year=2025, grades={m.pk: 2 for m in members})
    evaluation.evaluation_submit(actor=actor_of(tree.branch), year=2025)
    for url in (reverse("evaluation:progress") + "?year=2025", reverse("evaluation:progress") + "?year=2025&org="
                + str(tree.branch.pk), reverse("evaluation:deferred") + "?year=2025"):
        assert _queries(client, url) < 15, url
    login_person(client, members[0].user)
    for _ in range(FULL):
        awards.award_declare(member=members[0], kind=2, data=award, files=[png_upload()])
    assert _queries(client, reverse("awards:m_list")) < 15
    assert _queries(client, reverse("evaluation:m_archive")) < 15


def test_transfer_lists(client, tree):
    """转接记录 and 待审核 on /manage/, the member's records on /m/, 申诉处理."""
    from portal.actors import actor_for_user
    from services.transfers import appeal, review, start

    from .factories import login_person

    target = make_child(make_child(tree.b_district, OrgType.COMMITTEE, "另一公司"), OrgType.BRANCH, "另一支部")
    data = {"transfer_type": 1, "target": target.code, "destination": "某公司", "reason": 1}
    transfers = []

    def add(n):
        for _ in range(n):
            transfers.append(start.transfer_apply(member=make_member(tree.branch), data=data))

    login(client, tree.branch)  # each awaits the branch at ①
    _same_for_one_and_many(client, reverse("transfers:todo"), add)
    for t in transfers[::2]:  # some further on, so the rows name several reviewers
        review.transfer_approve(actor=actor_of(tree.branch), transfer=t, stage=1)
    login(client, tree.district)
    _same_for_one_and_many(client, reverse("transfers:list"), add)

    member = make_member(tree.branch, name="多次转接")

    def add_own(n):
        for _ in range(n):
            t = start.transfer_apply(member=member, data=data)
            start.transfer_withdraw(actor=actor_for_user(member.user), transfer=t, reason="重新选择")

    login_person(client, member.user)
    _same_for_one_and_many(client, reverse("transfers:m_list"), add_own)

    def add_appeals(n):
        for _ in range(n):
            t = start.transfer_apply(member=make_member(tree.branch), data=data)
            for org, stage in ((tree.branch, 1), (tree.general, 2)):
                t = review.transfer_approve(actor=actor_of(org), transfer=t, stage=stage)
            t = review.transfer_return(actor=actor_of(target), transfer=t, stage=3, reason="不符")
            appeal.appeal_submit(member=t.member, transfer=t, reason="申诉理由" * 30)

    login(client, tree.province)
    _same_for_one_and_many(client, reverse("transfers:appeals"), add_appeals)
