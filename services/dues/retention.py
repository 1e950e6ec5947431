"""团费留存 (manual 团费管理 › 团费留存, DESIGN §5): who keeps what share of a month's dues.

For org *o* and month *m*: ``collected(o, m)`` = dues actually paid in *m* on bills of *o*'s
subtree (online and offline; 自愿多交 is kept apart and not shared). Then

    retained(o, m) = collected(o, m) × ratio(o)                       [o keeps its own share …]
                   + Σ collected(c, m) × ratio(c)                      [… and its direct children's
                     over direct children c that may retain dues        that have no valid sub-account]
                     but have no valid sub-account

An org's own term counts only when it may retain and has a valid sub-account (otherwise its parent
holds its share, by the second term) — so every org's share is counted exactly once, and the
remainder that reaches the provincial account is everything collected minus every retained share.
Each share is rounded half-up to the fen once; the remainder is what is left, so the reconciliation
holds to the fen. Ratios along any root-to-branch path sum to ≤ 100, so the remainder is never < 0.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import IntegerField, Sum, Value
from django.db.models.functions import Substr

from orgtree.models import Organization
from portal.audit import audit_record, register_actions, snapshot

from .billing import next_month
from .models import DuesBill
from .money import ZERO, yuan

register_actions({"dues.retention_set": "设置团费留存"})

ERR_RATIO = "留存比例请输入0-100的整数"
ERR_PATH_SUM = "该组织与其上级、下级的留存比例之和不能超过100%"
ERR_NOT_CHILD = "只能设置直属下级组织的团费留存"

FIELDS = ("retains_dues", "retention_ratio", "sub_account_valid")


def _paid_in(month):
    start = month
    end = next_month(month)
    from datetime import datetime

    from django.utils import timezone

    tz = timezone.get_current_timezone()
    return DuesBill.objects.filter(paid_at__gte=datetime(start.year, start.month, 1, tzinfo=tz),
                                   paid_at__lt=datetime(end.year, end.month, 1, tzinfo=tz))


def collected_by_prefix(month, prefix_len, under_path):
    """{path prefix of length ``prefix_len``: Σ paid in ``month``} over bills whose branch lies under
    ``under_path`` — one GROUP BY over the month's paid bills (the ``dues_bill_paid`` index)."""
    rows = (_paid_in(month).filter(branch__path__startswith=under_path)
            .annotate(prefix=Substr("branch__path", 1, Value(prefix_len, output_field=IntegerField())))
            .values("prefix").annotate(total=Sum("amount")).order_by())
    return {r["prefix"]: yuan(r["total"] or ZERO) for r in rows}


def collected(org, month):
    return collected_by_prefix(month, len(org.path), org.path).get(org.path, ZERO)


def share(amount, ratio):
    return yuan(amount * Decimal(ratio) / 100)


def holds_own_share(org):
    return org.retains_dues and org.sub_account_valid


def holds_for_parent(org):
    """A child whose share its parent holds: may retain, but no valid sub-account."""
    return org.retains_dues and not org.sub_account_valid


@dataclass
class RetentionRow:
    org: Organization
    collected: Decimal
    own: Decimal  # collected × own ratio (0 unless it may retain with a valid sub-account)
    for_children: Decimal  # Σ over children held for
    retained: Decimal


def retention_view(org, month):
    """The 团费留存 page: the org's own row, then one per direct child (each by the same formula).
    Two GROUP BY queries over the month's paid bills, whatever the subtree's size."""
    # Children and grandchildren in one query (the grandchildren only for their 留存 flags).
    below = list(Organization.objects.filter(path__startswith=org.path, depth__in=(org.depth + 1, org.depth + 2))
                 .order_by("path"))
    children = [o for o in below if o.depth == org.depth + 1]
    grandchildren = {}
    for g in below:
        if g.depth == org.depth + 2:
            grandchildren.setdefault(g.path[: len(org.path) + org.steplen], []).append(g)
    depth2 = collected_by_prefix(month, len(org.path) + 2 * org.steplen, org.path)
    by_child = {}
    for prefix, amount in depth2.items():
        key = prefix[: len(org.path) + org.steplen]
        by_child[key] = by_child.get(key, ZERO) + amount
    total = sum(by_child.values(), ZERO)
    own = share(total, org.retention_ratio) if holds_own_share(org) else ZERO
    held = sum((share(by_child.get(c.path, ZERO), c.retention_ratio) for c in children if holds_for_parent(c)), ZERO)
    rows = [RetentionRow(org, total, own, held, own + held)]
    for c in children:
        c_total = by_child.get(c.path, ZERO)
        c_own = share(c_total, c.retention_ratio) if holds_own_share(c) else ZERO
        c_held = sum((share(depth2.get(g.path, ZERO), g.retention_ratio) for g in grandchildren.get(c.path, ())
                      if holds_for_parent(g)), ZERO)
        rows.append(RetentionRow(c, c_total, c_own, c_held, c_own + c_held))
    return rows


def reconciliation(month, root=None):
    """(collected, Σ retained over every org, remainder to the provincial account) for ``month``.

    Set-based: the month's collections per branch, then each retaining org's subtree sum from the
    branch totals by path prefix (retaining orgs are few; branches are walked once per depth)."""
    root = root or Organization.get_first_root_node()
    per_branch = {r["branch__path"]: yuan(r["total"]) for r in _paid_in(month).filter(branch__path__startswith=root.path)
                  .values("branch__path").annotate(total=Sum("amount")).order_by()}
    total = sum(per_branch.values(), ZERO)
    ratios = dict(Organization.objects.filter(path__startswith=root.path, retains_dues=True, retention_ratio__gt=0)
                  .values_list("path", "retention_ratio"))
    subtree = {}  # each retaining org's collected: every branch total added to its retaining ancestors
    step = Organization.steplen
    for path, amount in per_branch.items():
        for end in range(step, len(path) + 1, step):
            if path[:end] in ratios:
                subtree[path[:end]] = subtree.get(path[:end], ZERO) + amount
    retained = sum((share(amount, ratios[path]) for path, amount in subtree.items()), ZERO)
    return total, retained, total - retained


# --- settings ------------------------------------------------------------------------------------

def _path_sums_ok(org, ratio, retains):
    """Would every root-to-branch path through ``org`` sum to ≤ 100 with these settings?"""
    above = sum(Organization.objects.filter(path__in=org.ancestor_paths, retains_dues=True)
                .values_list("retention_ratio", flat=True))
    below = Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth, retains_dues=True,
                                        retention_ratio__gt=0).values_list("path", "retention_ratio")
    ratios = dict(below)
    deepest = 0
    for path in ratios:  # the chain sum below org ending at each retaining descendant
        chain = sum(r for p, r in ratios.items() if path.startswith(p))
        deepest = max(deepest, chain)
    return above + (ratio if retains else 0) + deepest <= 100


@transaction.atomic
def retention_set(*, actor, org, retains_dues, retention_ratio, sub_account_valid):
    """The parent sets a direct child's 留存 (reference §2.1.7 团费返还比例设置)."""
    actor.require_org_actor()
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if org.parent_path != actor.org.path:
        raise ValidationError(ERR_NOT_CHILD, code="not_child")
    try:
        ratio = int(retention_ratio)
    except (TypeError, ValueError):
        ratio = -1
    if isinstance(retention_ratio, (float, Decimal)) and retention_ratio != ratio or not 0 <= ratio <= 100:
        raise ValidationError({"retention_ratio": ValidationError(ERR_RATIO, code="retention_ratio")})
    if not _path_sums_ok(org, ratio, bool(retains_dues)):
        raise ValidationError({"retention_ratio": ValidationError(ERR_PATH_SUM, code="path_sum")})
    before = snapshot(org, FIELDS)
    org.retains_dues, org.retention_ratio, org.sub_account_valid = bool(retains_dues), ratio, bool(sub_account_valid)
    org.save(update_fields=[*FIELDS, "updated_at"])
    audit_record(actor=actor, action="dues.retention_set", obj=org, before=before, after=snapshot(org, FIELDS))
    return org


# --- Excel import (reference §2.1.7: 导入 overwrites the settings of the rows it names) --------------

from portal import spreadsheets  # noqa: E402

register_actions({"dues.retention_import": "导入团费留存设置"})

IMPORT_HEADERS = ["组织ID", "组织名称（仅供查看）", "有团费留存权限（是/否）", "留存比例（0-100的整数）", "有有效子账户（是/否）"]
IMPORT_MAX_ROWS = 2000
IMPORT_LIMITS = spreadsheets.Limits(max_rows=IMPORT_MAX_ROWS, max_columns=len(IMPORT_HEADERS), max_bytes=2 * spreadsheets.MB)
ERR_IMPORT_HEADERS = "表头与模板不一致，请先导出当前设置作为模板再填写"
ERR_IMPORT_EMPTY = "表格中没有数据行"
ERR_ROW_ORG = "组织ID不是本组织的直属下级"
ERR_ROW_DUPLICATE = "组织ID重复"
ERR_ROW_YES_NO = "“{label}”请填写“是”或“否”"
YES_NO = {"是": True, "否": False}


def _yes_no(value, label, errors):
    text = str(value).strip() if value is not None else ""
    if text not in YES_NO:
        errors.append(ERR_ROW_YES_NO.format(label=label))
        return None
    return YES_NO[text]


def _ratio(value):
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    return int(text) if text.isdigit() else None


@transaction.atomic
def retention_import(*, actor, upload):
    """Apply a sheet of direct children's settings, all or nothing: any bad row refuses the whole file
    with one message per row (``第N行：…``). Returns the number of orgs updated."""
    actor.require_org_actor()
    content = spreadsheets.read_upload(upload, IMPORT_LIMITS)
    rows = spreadsheets.iter_first_sheet(content, IMPORT_LIMITS)
    header = next(rows, None)
    if header is None or [str(h or "").strip() for h in header] != IMPORT_HEADERS:
        raise ValidationError(ERR_IMPORT_HEADERS, code="headers")
    children = {o.code: o for o in Organization.objects.filter(path__startswith=actor.org.path,
                                                                depth=actor.org.depth + 1)}
    problems, wanted, seen = [], [], set()
    for number, row in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in row):
            continue
        errors = []
        code = str(row[0]).strip() if row[0] is not None else ""
        org = children.get(code)
        if org is None:
            errors.append(ERR_ROW_ORG)
        elif code in seen:
            errors.append(ERR_ROW_DUPLICATE)
        seen.add(code)
        retains = _yes_no(row[2], "有团费留存权限", errors)
        ratio = _ratio(row[3])
        if ratio is None or not 0 <= ratio <= 100:
            errors.append(ERR_RATIO)
        valid = _yes_no(row[4], "有有效子账户", errors)
        if errors:
            problems.append(f"第{number}行：{'；'.join(errors)}")
        else:
            wanted.append((number, org, retains, ratio, valid))
    if not wanted and not problems:
        raise ValidationError(ERR_IMPORT_EMPTY, code="empty")
    if problems:
        raise ValidationError(problems, code="rows")
    for _, org, retains, ratio, valid in wanted:
        Organization.objects.filter(pk=org.pk).update(retains_dues=retains, retention_ratio=ratio,
                                                      sub_account_valid=valid)
    for number, org, retains, ratio, _ in wanted:  # every path checked in the new state
        fresh = Organization.objects.get(pk=org.pk)
        if not _path_sums_ok(fresh, ratio, retains):
            problems.append(f"第{number}行：{ERR_PATH_SUM}")
    if problems:
        transaction.set_rollback(True)
        raise ValidationError(problems, code="rows")
    audit_record(actor=actor, action="dues.retention_import",
                 after={"导入组织数": len(wanted), "组织ID": "、".join(o.code for _, o, *_ in wanted)[:500]})
    return len(wanted)


def retention_rows(actor):
    """The export (and import template): each direct child's settings."""
    yes_no = {True: "是", False: "否"}
    for o in Organization.objects.filter(path__startswith=actor.org.path, depth=actor.org.depth + 1).order_by("path"):
        yield [o.code, o.full_name, yes_no[o.retains_dues], o.retention_ratio, yes_no[o.sub_account_valid]]
