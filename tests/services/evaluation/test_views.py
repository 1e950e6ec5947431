"""教育评议, 年度注册 and 成长档案 pages: grade entry with the cap's message, submit, progress and reminders,
re-evaluation, the member's registration on /m/; 乙's objects are 404."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from services.evaluation import services
from services.evaluation.models import AnnualRegistration, EvaluationGrade, RegistrationStatus
from services.messaging.models import Message

from ...factories import actor_of, login, login_person, make_member

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        yield


def test_branch_enters_grades_and_sees_the_cap_refusal(client, tree):
    ms = [make_member(tree.branch) for _ in range(4)]
    party = make_member(tree.branch, political_status=2)
    login(client, tree.branch)
    page = client.get(reverse("evaluation:grades"), {"year": YEAR}).content.decode()
    assert "党员不参加评议" in page and f'name="grade_{party.pk}"' not in page and "最多1人" in page
    data = {"year": YEAR, **{f"grade_{m.pk}": 1 if i < 2 else 2 for i, m in enumerate(ms)}}
    page = client.post(reverse("evaluation:grades"), data).content.decode()
    assert services.ERR_EXCELLENT.format(percent=30, n=4, most=1, given=2) in page
    assert not EvaluationGrade.objects.exists()
    data[f"grade_{ms[1].pk}"] = 4
    assert client.post(reverse("evaluation:grades"), data).status_code == 302
    assert EvaluationGrade.objects.count() == 4
    assert "提交后评议结果不能再修改" in client.get(reverse("evaluation:submit"), {"year": YEAR}).content.decode()
    client.post(reverse("evaluation:submit") + f"?year={YEAR}")
    assert AnnualRegistration.objects.filter(year=YEAR).count() == 5
    page = client.get(reverse("evaluation:grades"), {"year": YEAR}).content.decode()
    assert "已提交" in page and 'name="grade_' not in page


def test_grades_page_is_for_branches(client, tree):
    login(client, tree.general)
    response = client.get(reverse("evaluation:grades"))
    assert response.status_code == 403 and services.ERR_NOT_BRANCH in response.content.decode()


def _submitted(branch, grades):
    services.grades_save(actor=actor_of(branch), year=YEAR, grades={m.pk: g for m, g in grades.items()})
    services.evaluation_submit(actor=actor_of(branch), year=YEAR)


def test_progress_remind_and_sibling_404(client, tree):
    a, b = make_member(tree.branch, name="王未注册"), make_member(tree.branch)
    _submitted(tree.branch, {a: 2, b: 2})
    services.registration_confirm(member=b, year=YEAR, confirmed=True)
    login(client, tree.city_a)
    page = client.get(reverse("evaluation:progress"), {"year": YEAR}).content.decode()
    assert "应注册 2 人" in page and "已注册 <strong>1</strong> 人" in page and tree.district.full_name in page
    branch_page = client.get(reverse("evaluation:progress"), {"year": YEAR, "org": tree.branch.pk}).content.decode()
    assert "王未注册" in branch_page and "未注册" in branch_page
    client.post(reverse("evaluation:remind"), {"year": YEAR, "org": tree.branch.pk})
    assert Message.objects.filter(recipient_user=a.user, subject_type=services.SUBJECT_REMIND).count() == 1
    assert client.get(reverse("evaluation:progress"), {"year": YEAR, "org": tree.city_b.pk}).status_code == 404
    assert client.post(reverse("evaluation:remind"), {"year": YEAR, "org": tree.city_b.pk}).status_code == 404


def test_deferred_member_is_listed_and_the_branch_lifts_it(client, tree, b_branch):
    bad, ok = make_member(tree.branch, name="李不合格"), make_member(tree.branch)
    _submitted(tree.branch, {bad: 4, ok: 2})
    row = AnnualRegistration.objects.get(member=bad)
    login(client, tree.district)
    assert "李不合格" in client.get(reverse("evaluation:deferred"), {"year": YEAR}).content.decode()
    login(client, tree.branch)
    page = client.post(reverse("evaluation:reassess", args=[row.pk]), {"grade": 4}, follow=True).content.decode()
    assert services.ERR_STILL_UNQUALIFIED in page
    client.post(reverse("evaluation:reassess", args=[row.pk]), {"grade": 2})
    row.refresh_from_db()
    assert row.status == RegistrationStatus.UNREGISTERED
    other = make_member(b_branch)
    _submitted(b_branch, {other: 4})
    outside = AnnualRegistration.objects.get(member=other)
    assert client.post(reverse("evaluation:reassess", args=[outside.pk]), {"grade": 2}).status_code == 404


def test_member_registers_on_mobile_and_sees_the_history(client, tree):
    m = make_member(tree.branch)
    login_person(client, m.user)
    assert "尚未开启年度注册" in client.get(reverse("evaluation:m_register")).content.decode()
    _submitted(tree.branch, {m: 3})
    page = client.get(reverse("evaluation:m_register")).content.decode()
    assert "基本合格" in page and m.id_number in page
    page = client.post(reverse("evaluation:m_register_confirm"), follow=True).content.decode()
    assert services.ERR_CONFIRM in page
    page = client.post(reverse("evaluation:m_register_confirm"), {"confirmed": "1"}, follow=True).content.decode()
    assert f"{YEAR}年度注册成功" in page and "已注册" in page
    assert AnnualRegistration.objects.get(member=m).status == RegistrationStatus.REGISTERED


def test_deferred_member_cannot_register_on_mobile(client, tree):
    m = make_member(tree.branch)
    _submitted(tree.branch, {m: 4})
    login_person(client, m.user)
    assert "暂缓注册" in client.get(reverse("evaluation:m_register")).content.decode()
    page = client.post(reverse("evaluation:m_register_confirm"), {"confirmed": "1"}, follow=True).content.decode()
    assert services.ERR_DEFERRED in page
    assert AnnualRegistration.objects.get(member=m).status == RegistrationStatus.DEFERRED


def test_growth_archives(client, tree, b_branch):
    from services.awards import services as award_flow

    from ..awards.conftest import png

    m = make_member(tree.branch, name="赵档案")
    award = award_flow.awards_enter(actor=actor_of(tree.branch), member_ids=[m.pk], files=[png()], data={
        "name": "优秀共青团员", "awarded_on": date(2025, 5, 4), "awarding_org_name": "团区委"})[0]
    edit = reverse("awards:award_edit", args=[award.pk])
    _submitted(tree.branch, {m: 2})
    login_person(client, m.user)
    page = client.get(reverse("evaluation:m_archive")).content.decode()
    assert "优秀共青团员" in page and f"{YEAR}年度" in page and "合格" in page
    login(client, tree.branch)
    page = client.get(reverse("evaluation:branch_archive")).content.decode()
    assert "赵档案" in page and "优秀共青团员" in page and f"{YEAR}年度" in page
    page = client.get(reverse("evaluation:member_archive", args=[m.pk])).content.decode()
    assert "优秀共青团员" in page and edit in page  # the entering org edits from here
    login(client, tree.general)
    page = client.get(reverse("evaluation:member_archive", args=[m.pk])).content.decode()
    assert "优秀共青团员" in page and edit not in page
    outsider = make_member(b_branch)
    assert client.get(reverse("evaluation:member_archive", args=[outsider.pk])).status_code == 404
    assert client.get(reverse("evaluation:branch_archive"), {"branch": b_branch.pk}).status_code == 404
