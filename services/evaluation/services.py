"""Writes of 教育评议 and 年度注册 (manual 团员教育评议, 团员年度注册; DESIGN §5).

- ``grades_save``: the branch enters (and may change) a year's grades in one batch, until it submits;
  Party members are not graded; 优秀 ≤ 30 % of the graded members.
- ``evaluation_submit``: grades lock, every member in good standing gets the year's registration row
  (不合格 → 暂缓注册) and is told on ``/m/`` and WeChat with one ``notify_many``.
- ``registration_confirm``: the member confirms their data and grade on ``/m/``.
- ``grade_reassess``: the branch's later evaluation of a 暂缓注册 member; a pass lifts the deferral.
- ``registration_remind``: 提醒 the members of a subtree who have not registered (once a day each).

:class:`RegistrationTally` rows of the branch and every ancestor move with each change (one
``UPDATE … WHERE org_id IN (ancestors)``), so progress is read, never counted.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from orgtree.models import Organization
from portal.audit import audit_record, register_actions
from portal.prepared import prepared
from services.members.choices import MemberPolitical
from services.members.models import IN_GOOD_STANDING, Member
from services.messaging.models import Message
from services.messaging.services import notify, notify_many

from .models import AnnualRegistration, Evaluation, EvaluationGrade, Grade, RegistrationStatus, RegistrationTally

register_actions({
    "evaluation.save": "录入教育评议结果",
    "evaluation.submit": "提交教育评议结果（开启年度注册）",
    "evaluation.reassess": "再次评议（暂缓注册团员）",
    "evaluation.remind": "提醒团员年度注册",
})

#: Party members (中共党员, 预备党员) keep membership but are not evaluated (DESIGN §5).
PARTY = (MemberPolitical.PARTY_MEMBER, MemberPolitical.PROBATIONARY)
EXCELLENT_PERCENT = 30
FIRST_YEAR = 2017
SUBJECT_PROMPT = "evaluation.prompt"  # a member's registration of a year (the row's id)
SUBJECT_REMIND = "evaluation.remind"  # subject_id = row id * 100000 + yyyymmdd % 100000: once a day

ERR_NOT_BRANCH = "教育评议由团支部录入"
ERR_YEAR = "请选择评议年度（{first}年至今年）"
ERR_LOCKED = "本年度教育评议结果已提交，年度注册已开始，不能再修改"
ERR_GRADE = "请选择评议结果"
ERR_NOTHING = "请至少为一名团员选择评议结果"
ERR_PARTY = "党员不参加团员教育评议：{name}"
ERR_NOT_MEMBER = "名单中有不属于本团支部或团籍状态不正常的团员，请刷新页面后重新录入"
ERR_EXCELLENT = "评为优秀的团员不能超过参加评议团员的{percent}%（本次参加评议{n}人，最多{most}人评为优秀，现为{given}人）"
ERR_INCOMPLETE = "还有{n}名团员未录入评议结果，请全部录入后再提交"
ERR_NO_MEMBERS = "本团支部没有需要年度注册的团员"
ERR_NOT_SUBMITTED = "本团支部尚未提交本年度教育评议结果"
ERR_NO_REGISTRATION = "您所在团支部尚未开启本年度注册"
ERR_REGISTERED = "您已完成本年度注册"
ERR_DEFERRED = "您本年度教育评议结果为不合格，暂缓注册。请在团支部帮助下改正，经再次评议合格后再进行注册"
ERR_CONFIRM = "请核对个人信息和评议结果，勾选确认后再提交"
ERR_NOT_DEFERRED = "只有暂缓注册的团员才能再次评议"
ERR_STILL_UNQUALIFIED = "再次评议结果仍为不合格的，继续暂缓注册"
ERR_MEMBER_STATE = "只有团籍正常的团员才能进行年度注册"


def excellent_cap(evaluated):
    """The most members of ``evaluated`` who may be graded 优秀 (30 %, rounded down)."""
    return evaluated * EXCELLENT_PERCENT // 100


def evaluable_q():
    """Members a branch grades: in good standing and not Party members."""
    return IN_GOOD_STANDING & ~Q(political_status__in=PARTY)


def _require_branch(actor):
    actor.require_org_actor()
    if not actor.org.is_branch:
        raise PermissionDenied(ERR_NOT_BRANCH)


def _check_year(year, today):
    if not isinstance(year, int) or not FIRST_YEAR <= year <= today.year:
        raise ValidationError({"year": ERR_YEAR.format(first=FIRST_YEAR)})


def _tally(org, year, **deltas):
    """Move the counts of ``org`` and every ancestor (one statement for all, after ensuring the rows)."""
    paths = [org.path[:i] for i in range(Organization.steplen, len(org.path) + 1, Organization.steplen)]
    ids = list(Organization.objects.filter(path__in=paths).values_list("pk", flat=True))
    RegistrationTally.objects.bulk_create([RegistrationTally(org_id=i, year=year) for i in ids],
                                          ignore_conflicts=True)
    RegistrationTally.objects.filter(org_id__in=ids, year=year).update(
        **{name: F(name) + value for name, value in deltas.items()})


@prepared
def _members_graded(branch_id):
    """(id, name, political status) of the branch's members in good standing: those it grades."""
    return Member.objects.filter(IN_GOOD_STANDING, branch_id=branch_id).values_list("pk", "name", "political_status")


@prepared
def _grades_so_far(evaluation_id):
    """(member id, id, grade) of an evaluation's grades."""
    return EvaluationGrade.objects.filter(evaluation_id=evaluation_id).values_list("member_id", "pk", "grade")


@transaction.atomic
def grades_save(*, actor, year, grades, today=None):
    """录入/修改 the year's grades: ``grades`` maps member id → grade (1–4). Refused whole on any error."""
    _require_branch(actor)
    today = today or timezone.localdate()
    _check_year(year, today)
    if not grades:
        raise ValidationError({"grades": ERR_NOTHING})
    evaluation = Evaluation.objects.select_for_update().filter(branch=actor.org, year=year).first()
    if evaluation is None:
        evaluation, _ = Evaluation.objects.get_or_create(branch=actor.org, year=year,
                                                         defaults={"entered_by": actor.label[:200]})
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.locked:
        raise ValidationError(ERR_LOCKED)
    cleaned = {}
    for member_id, grade in grades.items():
        try:
            cleaned[int(member_id)] = Grade(int(grade))
        except (TypeError, ValueError):
            raise ValidationError({"grades": ERR_GRADE}) from None
    # the branch's members in good standing, and the year's grades so far: one prepared statement each
    members = {pk: (name, political) for pk, name, political in _members_graded(actor.org.pk)}
    if not set(cleaned) <= set(members):
        raise ValidationError({"grades": ERR_NOT_MEMBER})
    if party := [members[mid][0] for mid in cleaned if members[mid][1] in PARTY]:
        raise ValidationError({"grades": ERR_PARTY.format(name="、".join(party))})
    existing = {member_id: (pk, grade) for member_id, pk, grade in _grades_so_far(evaluation.pk)}
    final = {mid: grade for mid, (_, grade) in existing.items() if mid in members and members[mid][1] not in PARTY}
    final.update(cleaned)
    given = sum(1 for g in final.values() if g == Grade.EXCELLENT)
    if given > excellent_cap(len(final)):
        raise ValidationError({"grades": ERR_EXCELLENT.format(percent=EXCELLENT_PERCENT, n=len(final),
                                                              most=excellent_cap(len(final)), given=given)})
    # one UPDATE per grade given (at most four): bulk_update's CASE of one WHEN per row cost more to
    # build than the rest of the save (issue 16)
    changed = {}
    for mid, (pk, grade) in existing.items():
        if mid in cleaned and grade != cleaned[mid]:
            changed.setdefault(cleaned[mid], []).append(pk)
    for grade, pks in changed.items():
        EvaluationGrade.objects.filter(pk__in=pks).update(grade=grade)
    if new := [EvaluationGrade(evaluation=evaluation, member_id=mid, grade=g) for mid, g in cleaned.items()
               if mid not in existing]:
        EvaluationGrade.objects.bulk_create(new)
    evaluation.entered_by = actor.label[:200]
    evaluation.save(update_fields=["entered_by", "updated_at"])
    audit_record(actor=actor, action="evaluation.save", obj=evaluation,
                 after={"年度": year, "录入人数": len(cleaned),
                        **{label: sum(1 for g in final.values() if g == value) for value, label in Grade.choices}})
    return evaluation


@transaction.atomic
def evaluation_submit(*, actor, year, today=None, now=None):
    """提交: lock the grades and open the year's registration for every member in good standing."""
    _require_branch(actor)
    today, now = today or timezone.localdate(), now or timezone.now()
    _check_year(year, today)
    evaluation = Evaluation.objects.select_for_update().filter(branch=actor.org, year=year).first()
    if evaluation is not None and evaluation.locked:
        raise ValidationError(ERR_LOCKED)
    members = Member.objects.filter(IN_GOOD_STANDING, branch=actor.org)
    if not members.exists():
        raise ValidationError(ERR_NO_MEMBERS)
    graded = dict(evaluation.grades.values_list("member_id", "grade")) if evaluation else {}
    missing = members.filter(evaluable_q()).exclude(pk__in=graded).count()
    if missing:
        raise ValidationError(ERR_INCOMPLETE.format(n=missing))
    if evaluation is None:  # a branch of Party members only has nothing to grade
        evaluation = Evaluation.objects.create(branch=actor.org, year=year, entered_by=actor.label[:200])
    evaluation.submitted_at = now
    evaluation.save(update_fields=["submitted_at", "updated_at"])
    rows = []
    for member_id, political in members.values_list("pk", "political_status"):
        grade = None if political in PARTY else graded[member_id]
        status = RegistrationStatus.DEFERRED if grade == Grade.UNQUALIFIED else RegistrationStatus.UNREGISTERED
        rows.append(AnnualRegistration(member_id=member_id, year=year, branch=actor.org, evaluation=evaluation,
                                       grade=grade, status=status, prompted_at=now))
    # a member who registered this year in another branch (and then transferred) keeps that row
    AnnualRegistration.objects.bulk_create(rows, ignore_conflicts=True)
    mine = AnnualRegistration.objects.filter(evaluation=evaluation)
    deferred = mine.filter(status=RegistrationStatus.DEFERRED).count()
    _tally(actor.org, year, branches=1, members=mine.count(), deferred=deferred)
    audit_record(actor=actor, action="evaluation.submit", obj=evaluation,
                 after={"年度": year, "应注册人数": len(rows), "暂缓注册人数": deferred})
    link = reverse("evaluation:m_register")
    notify_many(users=mine.filter(status=RegistrationStatus.UNREGISTERED, member__user__isnull=False)
                .values(recipient=F("member__user_id"), subject_id=F("pk")),
                title=f"{year}年度团员注册提醒", level=Message.Level.ORG, sender_org=actor.org,
                subject_type=SUBJECT_PROMPT, once=True, link=link, now=now,
                body=f"{actor.org.full_name}已录入{year}年度团员教育评议结果。请进入“年度注册”核对个人信息、确认评议结果，"
                     "完成年度注册。")
    notify_many(users=mine.filter(status=RegistrationStatus.DEFERRED, member__user__isnull=False)
                .values(recipient=F("member__user_id"), subject_id=F("pk")),
                title=f"{year}年度团员注册：暂缓注册", level=Message.Level.ORG, sender_org=actor.org,
                subject_type=SUBJECT_PROMPT, once=True, link=link, now=now,
                body=f"您{year}年度的团员教育评议结果为不合格，暂缓注册。请在团支部帮助下改正，经再次评议合格后进行注册。")
    return evaluation


def open_registration(member):
    """The member's latest year's registration row when it is still to do (未注册 or 暂缓注册), else None
    (an older year's 暂缓注册 stays in the history; the latest year is the one to register)."""
    latest = AnnualRegistration.objects.filter(member=member).select_related("branch").order_by("-year").first()
    return latest if latest is not None and latest.status != RegistrationStatus.REGISTERED else None


@transaction.atomic
def registration_confirm(*, member, year, confirmed, now=None):
    """年度注册 on /m/: the member confirms their data and their grade."""
    now = now or timezone.now()
    row = (AnnualRegistration.objects.select_for_update(of=("self",)).select_related("branch")
           .filter(member=member, year=year).first())
    if row is None:
        raise ValidationError(ERR_NO_REGISTRATION)
    if row.status == RegistrationStatus.REGISTERED:
        raise ValidationError(ERR_REGISTERED)
    if row.status == RegistrationStatus.DEFERRED:
        raise ValidationError(ERR_DEFERRED)
    if not Member.objects.filter(IN_GOOD_STANDING, pk=member.pk).exists():
        raise ValidationError(ERR_MEMBER_STATE)
    if not confirmed:
        raise ValidationError({"confirmed": ERR_CONFIRM})
    row.status, row.registered_at = RegistrationStatus.REGISTERED, now
    row.save(update_fields=["status", "registered_at"])
    _tally(row.branch, year, registered=1)
    return row


@transaction.atomic
def grade_reassess(*, actor, registration, grade, now=None):
    """再次评议 of a 暂缓注册 member: a passing grade lifts the deferral and asks the member to register."""
    _require_branch(actor)
    now = now or timezone.now()
    row = (AnnualRegistration.objects.select_for_update(of=("self",)).select_related("member", "evaluation")
           .filter(pk=registration.pk, branch=actor.org).first())
    if row is None:
        raise PermissionDenied(ERR_NOT_MEMBER)
    if row.status != RegistrationStatus.DEFERRED:
        raise ValidationError(ERR_NOT_DEFERRED)
    try:
        grade = Grade(int(grade))
    except (TypeError, ValueError):
        raise ValidationError({"grade": ERR_GRADE}) from None
    if grade == Grade.UNQUALIFIED:
        raise ValidationError({"grade": ERR_STILL_UNQUALIFIED})
    if grade == Grade.EXCELLENT:
        graded = row.evaluation.grades.count()
        given = row.evaluation.grades.filter(grade=Grade.EXCELLENT).count() + 1
        if given > excellent_cap(graded):
            raise ValidationError({"grade": ERR_EXCELLENT.format(percent=EXCELLENT_PERCENT, n=graded,
                                                                 most=excellent_cap(graded), given=given)})
    EvaluationGrade.objects.filter(evaluation=row.evaluation, member=row.member).update(grade=grade, reassessed_at=now)
    row.grade, row.status, row.prompted_at = grade, RegistrationStatus.UNREGISTERED, now
    row.save(update_fields=["grade", "status", "prompted_at"])
    _tally(actor.org, row.year, deferred=-1)
    audit_record(actor=actor, action="evaluation.reassess", obj=row,
                 after={"团员": row.member.name, "年度": row.year, "再次评议结果": grade.label})
    if row.member.user_id:
        notify(recipient=row.member.user, title=f"{row.year}年度团员注册提醒", level=Message.Level.ORG,
               sender_org=actor.org, link=reverse("evaluation:m_register"),
               body=f"您经再次评议结果为{grade.label}，已解除暂缓注册。请进入“年度注册”核对个人信息并完成{row.year}年度注册。")
    return row


@transaction.atomic
def registration_remind(*, actor, year, org=None, now=None):
    """提醒: every member of the org's subtree (the actor's by default) not yet registered for ``year``.
    Each member is reminded at most once a day. Returns how many were told."""
    actor.require_org_actor()
    org = org or actor.org
    if not org.path.startswith(actor.org.path):
        raise PermissionDenied(ERR_NOT_MEMBER)
    now = now or timezone.now()
    day = int(timezone.localtime(now).strftime("%Y%m%d")) % 100000
    rows = (AnnualRegistration.objects.filter(year=year, status=RegistrationStatus.UNREGISTERED,
                                              branch__path__startswith=org.path, member__user__isnull=False)
            .values(recipient=F("member__user_id"), subject_id=F("pk") * 100000 + day))
    result = notify_many(users=rows, title=f"{year}年度团员注册提醒", level=Message.Level.ORG, sender_org=actor.org,
                         subject_type=SUBJECT_REMIND, once=True, link=reverse("evaluation:m_register"), now=now,
                         body=f"您尚未完成{year}年度团员注册，请进入“年度注册”核对个人信息、确认评议结果。")
    audit_record(actor=actor, action="evaluation.remind", obj=org,
                 after={"年度": year, "提醒组织": org.full_name, "提醒人数": result.messages})
    return result.messages


@transaction.atomic
def tally_rebuild(*, year):
    """Recount ``year``'s :class:`RegistrationTally` rows from the registration rows: one ``INSERT … SELECT``
    per tree level, never a Python loop over members (a repair, and how a bulk load gets its tallies)."""
    from django.db import connection
    from django.db.models import Max

    RegistrationTally.objects.filter(year=year).delete()
    q = connection.ops.quote_name
    tally, reg, org = (q(m._meta.db_table) for m in (RegistrationTally, AnnualRegistration, Organization))
    deepest = Organization.objects.aggregate(d=Max("depth"))["d"] or 0
    with connection.cursor() as cursor:
        for depth in range(1, deepest + 1):
            cursor.execute(
                f"INSERT INTO {tally} (org_id, year, branches, members, registered, deferred) "
                f"SELECT o.id, %s, COUNT(DISTINCT r.evaluation_id), COUNT(*), "
                f"SUM(CASE WHEN r.status = %s THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = %s THEN 1 ELSE 0 END) "
                f"FROM {reg} r JOIN {org} b ON b.id = r.branch_id "
                f"JOIN {org} o ON o.path = SUBSTR(b.path, 1, %s) "
                f"WHERE r.year = %s AND b.depth >= %s GROUP BY o.id",
                [year, RegistrationStatus.REGISTERED, RegistrationStatus.DEFERRED,
                 depth * Organization.steplen, year, depth])
    return RegistrationTally.objects.filter(year=year).count()
