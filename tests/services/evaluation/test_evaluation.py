"""教育评议 and 年度注册: the 30 % cap, the Party exemption, the lock on submit, the prompts, 暂缓注册 and its
lifting, progress tallies and reminders."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import AuditLog
from services.evaluation import selectors, services
from services.evaluation.models import AnnualRegistration, EvaluationGrade, Grade, RegistrationStatus, RegistrationTally
from services.members.models import Member
from services.messaging.models import Delivery, Message

from ...factories import actor_of, make_member

pytestmark = pytest.mark.django_db
YEAR = 2025
E, Q, B, U = Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC, Grade.UNQUALIFIED


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        yield


def _members(branch, n, **kw):
    return [make_member(branch, **kw) for _ in range(n)]


def _save(branch, grades):
    return services.grades_save(actor=actor_of(branch), year=YEAR, grades={m.pk: g for m, g in grades.items()})


def test_excellent_cap_is_30_percent_of_the_evaluated_at_its_boundary(tree):
    ms = _members(tree.branch, 10)
    with pytest.raises(ValidationError) as exc:
        _save(tree.branch, {m: E if i < 4 else Q for i, m in enumerate(ms)})  # 4 of 10 = 40 %
    assert exc.value.message_dict["grades"] == [services.ERR_EXCELLENT.format(percent=30, n=10, most=3, given=4)]
    assert not EvaluationGrade.objects.exists()
    _save(tree.branch, {m: E if i < 3 else Q for i, m in enumerate(ms)})  # 3 of 10 = 30 %: allowed
    assert EvaluationGrade.objects.filter(grade=E).count() == 3
    with pytest.raises(ValidationError):  # a fourth 优秀 by a later edit of one member is refused too
        _save(tree.branch, {ms[5]: E})
    assert EvaluationGrade.objects.filter(grade=E).count() == 3


def test_cap_rounds_down(tree):
    assert [services.excellent_cap(n) for n in (1, 3, 4, 9, 10, 50)] == [0, 0, 1, 2, 3, 15]


def test_party_members_are_not_evaluated(tree):
    league, party, probationary = (make_member(tree.branch), make_member(tree.branch, political_status=2),
                                   make_member(tree.branch, political_status=3))
    with pytest.raises(ValidationError) as exc:
        _save(tree.branch, {league: Q, party: Q})
    assert exc.value.message_dict["grades"] == [services.ERR_PARTY.format(name=party.name)]
    _save(tree.branch, {league: Q})
    _evaluation, rows, counts = selectors.grade_sheet(actor=actor_of(tree.branch), year=YEAR)
    assert counts["evaluated"] == 1
    assert [(m.pk, party_flag) for m, _g, party_flag in rows] == [(league.pk, False), (party.pk, True),
                                                                  (probationary.pk, True)]


def test_only_the_branch_grades_its_own_members(tree, branch2):
    mine, theirs = make_member(tree.branch), make_member(branch2)
    with pytest.raises(PermissionDenied):
        services.grades_save(actor=actor_of(tree.general), year=YEAR, grades={mine.pk: Q})
    with pytest.raises(ValidationError) as exc:
        _save(tree.branch, {mine: Q, theirs: Q})
    assert exc.value.message_dict["grades"] == [services.ERR_NOT_MEMBER]
    with pytest.raises(ValidationError) as exc:
        services.grades_save(actor=actor_of(tree.branch), year=YEAR, grades={mine.pk: 7})
    assert exc.value.message_dict["grades"] == [services.ERR_GRADE]
    with pytest.raises(ValidationError) as exc:
        services.grades_save(actor=actor_of(tree.branch), year=2027, grades={mine.pk: Q})
    assert "year" in exc.value.message_dict
    assert not EvaluationGrade.objects.exists()


def _cadre_over_28(branch):
    return make_member(branch, birth="19900101", is_cadre=True, cadre_post=1, cadre_since=date(2020, 1, 1),
                       cadre_nature=2, party_committee_member=False)


def test_submit_needs_every_grade_then_locks_and_prompts_everyone_in_good_standing(tree, settings):
    league, bad, party = make_member(tree.branch), make_member(tree.branch), make_member(tree.branch,
                                                                                         political_status=2)
    cadre = _cadre_over_28(tree.branch)
    make_member(tree.branch, approved=False)  # not approved: neither graded nor registered
    _save(tree.branch, {league: Q, bad: U})
    with pytest.raises(ValidationError) as exc:
        services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    assert exc.value.messages == [services.ERR_INCOMPLETE.format(n=1)]
    _save(tree.branch, {cadre: B})
    services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    rows = {r.member_id: (r.grade, r.status) for r in AnnualRegistration.objects.all()}
    assert rows == {league.pk: (Q, RegistrationStatus.UNREGISTERED), bad.pk: (U, RegistrationStatus.DEFERRED),
                    party.pk: (None, RegistrationStatus.UNREGISTERED), cadre.pk: (B, RegistrationStatus.UNREGISTERED)}
    prompts = Message.objects.filter(subject_type=services.SUBJECT_PROMPT)
    assert {m.recipient_user_id for m in prompts if "暂缓" not in m.title} == {league.user_id, party.user_id,
                                                                              cadre.user_id}
    assert prompts.get(recipient_user=bad.user).title.endswith("暂缓注册")
    with pytest.raises(ValidationError) as exc:
        _save(tree.branch, {league: E})
    assert exc.value.messages == [services.ERR_LOCKED]
    with pytest.raises(ValidationError) as exc:
        services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    assert exc.value.messages == [services.ERR_LOCKED]
    assert AuditLog.objects.filter(action="evaluation.submit").count() == 1


def test_prompt_reaches_wechat_through_the_bulk_path(tree, fake_wechat):
    from portal.models import WeChatIdentity

    m = make_member(tree.branch)
    m.refresh_from_db()
    assert WeChatIdentity.objects.filter(user=m.user, kind=WeChatIdentity.Kind.MP).exists()
    _save(tree.branch, {m: Q})
    services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    message = Message.objects.get(subject_type=services.SUBJECT_PROMPT)
    assert Delivery.objects.filter(message=message).exists()


def test_member_registers_after_confirming(tree):
    m = make_member(tree.branch)
    _save(tree.branch, {m: Q})
    services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    with pytest.raises(ValidationError) as exc:
        services.registration_confirm(member=m, year=YEAR, confirmed=False)
    assert exc.value.message_dict == {"confirmed": [services.ERR_CONFIRM]}
    row = services.registration_confirm(member=m, year=YEAR, confirmed=True)
    assert row.status == RegistrationStatus.REGISTERED and row.registered_at
    with pytest.raises(ValidationError) as exc:
        services.registration_confirm(member=m, year=YEAR, confirmed=True)
    assert exc.value.messages == [services.ERR_REGISTERED]
    assert [(r.year, r.status) for r in selectors.member_history(m)] == [(YEAR, RegistrationStatus.REGISTERED)]


def test_no_registration_before_the_branch_submits(tree):
    m = make_member(tree.branch)
    _save(tree.branch, {m: Q})
    with pytest.raises(ValidationError) as exc:
        services.registration_confirm(member=m, year=YEAR, confirmed=True)
    assert exc.value.messages == [services.ERR_NO_REGISTRATION]


def test_unqualified_is_deferred_until_a_reassessment_passes(tree):
    bad, ok = make_member(tree.branch), make_member(tree.branch)
    _save(tree.branch, {bad: U, ok: Q})
    services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    with pytest.raises(ValidationError) as exc:
        services.registration_confirm(member=bad, year=YEAR, confirmed=True)
    assert exc.value.messages == [services.ERR_DEFERRED]
    row = AnnualRegistration.objects.get(member=bad)
    assert list(selectors.unqualified_in_scope(actor=actor_of(tree.district), year=YEAR)) == [row]
    with pytest.raises(ValidationError) as exc:  # still 不合格: stays deferred
        services.grade_reassess(actor=actor_of(tree.branch), registration=row, grade=U)
    assert exc.value.message_dict == {"grade": [services.ERR_STILL_UNQUALIFIED]}
    with pytest.raises(PermissionDenied):  # the branch re-evaluates, not its parent
        services.grade_reassess(actor=actor_of(tree.general), registration=row, grade=Q)
    with pytest.raises(ValidationError) as exc:  # 优秀 would break the cap (2 evaluated: none may be 优秀)
        services.grade_reassess(actor=actor_of(tree.branch), registration=row, grade=E)
    assert "grade" in exc.value.message_dict
    with time_machine.travel("2026-09-10 10:00 +0800", tick=False):
        services.grade_reassess(actor=actor_of(tree.branch), registration=row, grade=B)
        row.refresh_from_db()
        assert (row.status, row.grade) == (RegistrationStatus.UNREGISTERED, B)
        assert EvaluationGrade.objects.get(member=bad).grade == B
        assert Message.objects.filter(recipient_user=bad.user, body__contains="已解除暂缓注册").exists()
        services.registration_confirm(member=bad, year=YEAR, confirmed=True)
    assert selectors.unqualified_in_scope(actor=actor_of(tree.district), year=YEAR).count() == 0
    with pytest.raises(ValidationError) as exc:
        services.grade_reassess(actor=actor_of(tree.branch), registration=row, grade=Q)
    assert exc.value.messages == [services.ERR_NOT_DEFERRED]


def _tally(org):
    t = RegistrationTally.objects.filter(org=org, year=YEAR).first()
    return (t.branches, t.members, t.registered, t.deferred) if t else None


def test_progress_tallies_follow_every_change_up_the_tree(tree, branch2, b_branch):
    a1, a2, bad = make_member(tree.branch), make_member(tree.branch), make_member(tree.branch)
    c1 = make_member(branch2)
    make_member(b_branch)
    _save(tree.branch, {a1: Q, a2: Q, bad: U})
    services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    _save(branch2, {c1: Q})
    services.evaluation_submit(actor=actor_of(branch2), year=YEAR)
    services.registration_confirm(member=a1, year=YEAR, confirmed=True)
    assert _tally(tree.branch) == (1, 3, 1, 1)
    assert _tally(tree.general) == _tally(tree.province) == (2, 4, 1, 1)
    assert _tally(tree.city_b) is None
    progress = selectors.registration_progress(actor=actor_of(tree.province), year=YEAR)
    assert progress.tally.unregistered == 2
    assert [(c.pk, t is not None) for c, t in progress.children] == [(tree.city_a.pk, True), (tree.city_b.pk, False)]
    services.grade_reassess(actor=actor_of(tree.branch), registration=AnnualRegistration.objects.get(member=bad),
                            grade=Q)
    assert _tally(tree.city_a) == (2, 4, 1, 0)


def test_progress_of_an_org_outside_the_subtree_is_404(tree):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.registration_progress(actor=actor_of(tree.city_a), year=YEAR, org_pk=tree.city_b.pk)


def test_reminder_tells_the_unregistered_of_the_subtree_once_a_day(tree, branch2, b_branch):
    a, done = make_member(tree.branch), make_member(tree.branch)
    c, outsider = make_member(branch2), make_member(b_branch)
    for branch, members in ((tree.branch, (a, done)), (branch2, (c,)), (b_branch, (outsider,))):
        _save(branch, {m: Q for m in members})
        services.evaluation_submit(actor=actor_of(branch), year=YEAR)
    services.registration_confirm(member=done, year=YEAR, confirmed=True)
    assert services.registration_remind(actor=actor_of(tree.city_a), year=YEAR) == 2
    reminded = set(Message.objects.filter(subject_type=services.SUBJECT_REMIND).values_list("recipient_user_id",
                                                                                             flat=True))
    assert reminded == {a.user_id, c.user_id}
    assert services.registration_remind(actor=actor_of(tree.city_a), year=YEAR) == 0  # once a day
    with time_machine.travel("2026-03-11 10:00 +0800", tick=False):
        assert services.registration_remind(actor=actor_of(tree.general), year=YEAR, org=branch2) == 1
    with pytest.raises(PermissionDenied):
        services.registration_remind(actor=actor_of(tree.city_a), year=YEAR, org=b_branch)


def test_growth_archive_gathers_awards_punishments_and_years(tree):
    from services.awards.models import Award, Punishment

    m = make_member(tree.branch)
    Award.objects.create(member=m, kind=1, source=1, name="优秀团员", awarded_on=date(2025, 5, 4),
                         awarding_org_name="团区委", reviewer=tree.district, entered_by="x", status=1)
    Award.objects.create(member=m, kind=2, source=2, name="待审", awarded_on=date(2025, 5, 4),
                         awarding_org_name="学校", reviewer=tree.branch, entered_by="x", status=0)
    Punishment.objects.create(member=m, kind=1, punished_on=date(2026, 1, 1), relieve_on=date(2026, 7, 1),
                              org=tree.branch, entered_by="x")
    _save(tree.branch, {m: Q})
    services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    archive = selectors.growth_archive(Member.objects.get(pk=m.pk))
    assert [a.name for a in archive.awards] == ["优秀团员"]
    assert len(archive.punishments) == 1 and [(r.year, r.grade) for r in archive.years] == [(YEAR, Q)]
    branch, years, rows = selectors.branch_archive(actor=actor_of(tree.branch))
    assert years == [YEAR] and rows[0]["member"].pk == m.pk and rows[0]["years"][0].grade == Q


def test_tally_rebuild_recounts_what_the_services_kept(tree, branch2, b_branch):
    a, bad, c, d = (make_member(tree.branch), make_member(tree.branch), make_member(branch2),
                    make_member(b_branch))
    for branch, grades in ((tree.branch, {a: Q, bad: U}), (branch2, {c: B}), (b_branch, {d: Q})):
        _save(branch, grades)
        services.evaluation_submit(actor=actor_of(branch), year=YEAR)
    services.registration_confirm(member=c, year=YEAR, confirmed=True)
    kept = {t.org_id: (t.branches, t.members, t.registered, t.deferred)
            for t in RegistrationTally.objects.filter(year=YEAR)}
    RegistrationTally.objects.filter(org=tree.province).update(members=999)  # drifted
    assert services.tally_rebuild(year=YEAR) == len(kept)
    assert {t.org_id: (t.branches, t.members, t.registered, t.deferred)
            for t in RegistrationTally.objects.filter(year=YEAR)} == kept
    assert kept[tree.province.pk] == (3, 4, 1, 1)


def test_the_latest_year_is_the_one_to_register(tree):
    m, other = make_member(tree.branch), make_member(tree.branch)
    _save(tree.branch, {m: U, other: Q})
    services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    assert services.open_registration(m).status == RegistrationStatus.DEFERRED
    services.grades_save(actor=actor_of(tree.branch), year=YEAR + 1, grades={m.pk: Q, other.pk: Q})
    services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR + 1)
    assert services.open_registration(m).year == YEAR + 1
    services.registration_confirm(member=m, year=YEAR + 1, confirmed=True)
    assert services.open_registration(m) is None  # the older 暂缓注册 stays in the history only
    assert [(r.year, r.status) for r in selectors.member_history(m)] == [
        (YEAR + 1, RegistrationStatus.REGISTERED), (YEAR, RegistrationStatus.DEFERRED)]


def test_prompts_and_reminders_are_handled_once_the_member_registers(tree):
    from services.messaging.subjects import handled_ids

    m = make_member(tree.branch)
    _save(tree.branch, {m: Q})
    services.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    services.registration_remind(actor=actor_of(tree.branch), year=YEAR)
    told = list(Message.objects.filter(recipient_user=m.user, subject_type__startswith="evaluation."))
    assert len(told) == 2 and handled_ids(told) == set()
    services.registration_confirm(member=m, year=YEAR, confirmed=True)
    assert handled_ids(told) == {x.pk for x in told}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_save_is_one_transaction_of_its_own(tree):
    """Outside any transaction (as a view calls it) the save takes its own: the evaluation's row lock
    needs one (PostgreSQL refuses select_for_update without), and a refused save leaves nothing."""
    ms = _members(tree.branch, 4)
    with pytest.raises(ValidationError):
        _save(tree.branch, {ms[0]: E, ms[1]: E, ms[2]: Q, ms[3]: U})  # 2 of 4 优秀: over 30 %
    assert not EvaluationGrade.objects.exists()
    _save(tree.branch, {ms[0]: E, ms[1]: Q, ms[2]: Q, ms[3]: U})
    assert EvaluationGrade.objects.filter(evaluation__branch=tree.branch).count() == 4
