"""What every flow of a transfer shares: moving to a stage, the step log, the notices and completion.

Completion and the step log are written set-based (``UPDATE … WHERE``, ``INSERT … SELECT``) over a
queryset of transfers, so one review, an upheld appeal and the hourly sweep over thousands of
transfers run the same statements.
"""

from django.db import connection
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from portal.models import User
from services.members.models import Member, MemberRequest
from services.members.choices import RequestState
from services.messaging.models import Message
from services.messaging.services import notify_many

from .choices import STAGE_LABELS, StepKind, TransferStatus
from .models import TransferStep
from .rules import DUE_AFTER

SUBJECT_REVIEW = "transfers.review"  # a transfer awaiting an org (the transfer's id)
SUBJECT_APPEAL = "transfers.appeal"  # an appeal awaiting the common superior (the appeal's id)
ERR_HANDLED = "该转接申请已被处理"

STAGE_STATUS = {1: TransferStatus.OUT_BRANCH, 2: TransferStatus.OUT_PARENT, 3: TransferStatus.IN_BRANCH,
                4: TransferStatus.IN_PARENT}
REVIEWER_FIELD = {1: "from_branch_id", 2: "from_parent_id", 3: "to_branch_id", 4: "to_parent_id"}


def manage_link(pk):
    return reverse("transfers:detail", args=[pk])


def member_link(pk):
    return reverse("transfers:m_detail", args=[pk])


def enter_stage(transfer, stage, now):
    """Put ``transfer`` at ``stage`` (1–4): its status, reviewer, and the timer of ③ / ④."""
    transfer.status = STAGE_STATUS[stage]
    transfer.reviewer_id = getattr(transfer, REVIEWER_FIELD[stage])
    transfer.stage_since = now
    transfer.due_at = now + DUE_AFTER[stage] if stage in DUE_AFTER else None


def close(transfer, status, now):
    transfer.status = status
    transfer.reviewer_id = None
    transfer.due_at = None
    transfer.stage_since = now
    transfer.closed_at = now


def log(transfer, *, kind, now, stage=0, org=None, org_id=None, actor_label="", reason=""):
    return TransferStep.objects.create(transfer=transfer, stage=stage, kind=kind, org_id=org.pk if org else org_id,
                                       actor_label=actor_label[:200], reason=reason[:249], created_at=now)


def log_set(transfers, *, kind, now, stage=0, org_field=None, actor_label="", reason=""):
    """One ``INSERT … SELECT``: a step for each transfer of the queryset ``transfers``; ``org_field`` is
    the transfer's column naming the org of the step (``to_parent_id`` …), or None."""
    q = connection.ops.quote_name
    cols = ["transfer_id", "stage", "kind", "org_id", "actor_label", "reason", "created_at"]
    fields = {"step_transfer": F("pk")}
    if org_field:
        fields["step_org"] = F(org_field)
    src_sql, src_params = transfers.order_by().values(**fields).query.sql_with_params()
    org_expr = f"s.{q('step_org')}" if org_field else "NULL"
    sql = (f"INSERT INTO {q(TransferStep._meta.db_table)} ({', '.join(q(c) for c in cols)}) "
           f"SELECT s.{q('step_transfer')}, %s, %s, {org_expr}, %s, %s, %s FROM ({src_sql}) s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [stage, int(kind), actor_label[:200], reason[:249],
                             connection.ops.adapt_datetimefield_value(now), *src_params])
        return cursor.rowcount


def tell_member(transfers, *, title, body, now=None):
    """The member of each transfer (with a login), linking to their record of it."""
    rows = transfers.filter(member__user__isnull=False).values(
        recipient=F("member__user_id"), sender_org=F("from_branch_id"),
        link=Concat(Value("/m/transfers/"), Cast("pk", CharField()), Value("/")),
        body=body if not isinstance(body, str) else Value(body))
    return notify_many(users=rows, title=title, level=Message.Level.ORG, now=now)


def tell_orgs(transfers, *, org_field, title, body, subject_type="", now=None):
    """An org of each transfer (``org_field``: from_branch, to_parent, …), linking to the record."""
    values = {"recipient": F(org_field), "sender_org": F(org_field),
              "link": Concat(Value("/manage/transfers/"), Cast("pk", CharField()), Value("/")),
              "body": body if not isinstance(body, str) else Value(body)}
    if subject_type:
        values["subject_id"] = F("pk")
    rows = transfers.filter(**{f"{org_field}__isnull": False}).values(**values)
    return notify_many(orgs=rows, title=title, level=Message.Level.USER, subject_type=subject_type, now=now)


def name_body(prefix, suffix):
    """A per-row body naming the member: ``prefix`` + 姓名 + ``suffix``."""
    return Concat(Value(prefix), F("member__name"), Value(suffix))


def tell_next_reviewer(transfers, stage, now=None):
    field = REVIEWER_FIELD[stage].removesuffix("_id")
    tell_orgs(transfers, org_field=field, title="组织关系转接审核",
              body=name_body("团员", f"的组织关系转接申请已流转至本组织（{STAGE_LABELS[stage]}），请及时审核。"),
              subject_type=SUBJECT_REVIEW, now=now)


def _move_members(rows, now):
    """``UPDATE member … FROM (the transfers) WHERE member = transfer.member``: one join, on PostgreSQL and
    SQLite (≥ 3.33) alike. (A correlated subquery per member was planned as a scan of the whole batch per
    member when the batch's statistics were fresh: quadratic, 0.9 s for 2,000.)"""
    q = connection.ops.quote_name
    table = q(Member._meta.db_table)
    src_sql, src_params = rows.values(mv_member=F("member_id"), mv_branch=F("to_branch_id")).query.sql_with_params()
    sets = ", ".join(f"{q(c)} = {v}" for c, v in (
        ("branch_id", f"x.{q('mv_branch')}"), ("is_cadre", "%s"), ("cadre_post", "NULL"), ("cadre_post_name", "''"),
        ("cadre_since", "NULL"), ("cadre_nature", "NULL"), ("party_committee_member", "NULL"), ("updated_at", "%s")))
    # The member's login carries their branch as its organization (as 恢复团籍 keeps it): it moves too.
    users = q(User._meta.db_table)
    user_sql, user_params = rows.filter(member__user__isnull=False).values(
        mv_user=F("member__user_id"), mv_branch=F("to_branch_id")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} FROM ({src_sql}) x WHERE x.{q('mv_member')} = {table}.{q('id')}",
                       [False, connection.ops.adapt_datetimefield_value(now), *src_params])
        moved = cursor.rowcount
        cursor.execute(f"UPDATE {users} SET {q('organization_id')} = x.{q('mv_branch')} FROM ({user_sql}) x "
                       f"WHERE x.{q('mv_user')} = {users}.{q('id')}", user_params)
        return moved


def complete_set(transfers, *, now, actor_label, org_field=None):
    """接转成功 for every transfer of ``transfers`` (in-province, open or being closed by an appeal),
    in set-based statements: the member moves to the incoming branch (their 本支部团干职务 was a post
    of the old branch and ends), open 团籍 requests follow them to the new branch and its parent, the
    step log, the notices to both branches and the member, then the transfers close. Bills stay with
    the old branch: they carry their own branch. Returns how many completed."""
    from django.db.models import OuterRef, Subquery

    rows = transfers.order_by()
    _move_members(rows, now)
    open_requests = MemberRequest.objects.filter(member_id__in=rows.values("member_id"), state=RequestState.PENDING)
    if open_requests.exists():
        open_requests.update(branch_id=Subquery(rows.filter(member_id=OuterRef("member_id")).values("to_branch_id")),
                             reviewer_id=Subquery(rows.filter(member_id=OuterRef("member_id")).values("to_parent_id")))
    log_set(rows, kind=StepKind.COMPLETED, now=now, org_field=org_field, actor_label=actor_label)
    tell_member(rows, title="组织关系转接成功",
                body=Concat(Value("您的组织关系已成功转入"), F("to_branch__full_name"), Value("。")), now=now)
    tell_orgs(rows, org_field="from_branch", title="团员组织关系已转出",
              body=Concat(Value("团员"), F("member__name"), Value("的组织关系已成功转至"), F("to_branch__full_name"),
                          Value("。此前的团费账单仍由本支部负责。")), now=now)
    tell_orgs(rows, org_field="to_branch", title="新转入团员",
              body=Concat(Value("团员"), F("member__name"), Value("的组织关系已由"), F("from_branch__full_name"),
                          Value("转入本支部。")), now=now)
    return rows.update(status=TransferStatus.COMPLETED, reviewer_id=None, due_at=None, closed_at=now, stage_since=now)
