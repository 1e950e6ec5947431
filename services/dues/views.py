"""Service pages of 团费管理 (/manage/dues/...): thin — parse, call one flow or selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET

from orgtree.capabilities import SUBORDINATES, capability_required
from orgtree.models import Organization
from portal.decorators import org_actor_required
from portal.exports import Sheet, xlsx_response
from portal.forms import add_service_errors
from portal.html import esc
from portal.params import int_list
from portal.scope import get_in_scope

from . import offline, retention, selectors, tiers
from .forms import ImportForm, MembersForm, OfflineForm, QueryForm, RetentionForm, TierForm
from .models import DuesTier


def _error_text(exc):
    if hasattr(exc, "error_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


@require_GET
@org_actor_required
def query(request):
    """团费查询: the org's own row and each direct child's, for a month (reference §2.1.7)."""
    form = QueryForm(request.GET or None)
    month = form.month_or_now()
    org = selectors.org_in_scope(request.actor, form.cleaned_data.get("org") if form.is_valid() else None)
    rows = selectors.month_overview(actor=request.actor, org=org, month=month)
    overdue = selectors.overdue_members(request.actor) if request.actor.org.is_branch else []
    month_param = f"{month:%Y-%m}"
    members_url = reverse("dues:members")
    body = mark_safe("".join(_query_row_html(i == 0, o, s, month_param, members_url)  # noqa: S308 - escaped
                             for i, (o, s) in enumerate(rows)))
    return render(request, "dues/query.html", {"form": form, "month": month, "org": org, "rows": rows,
                                               "overdue": overdue, "month_param": month_param,
                                               "members_url": members_url, "body": body})


def _count(n):
    return n or 0


def _yuan(amount):
    return f"{amount:f}" if amount else "0.00"


def _query_row_html(own, o, s, month_param, members_url):
    """One row of 团费查询 (built in Python: issue 16): the org's own row first, then each child's.
    ``s`` is the MonthStat, or None when the month has none for the org."""
    name = esc(o.full_name)
    if own:
        name_cell = f"{name}（本级及下级）"
    elif not o.is_branch:
        name_cell = f'<a href="?org={o.pk}&month={month_param}">{name}</a>'
    else:
        name_cell = name
    if s is None:
        figures = "<td>0</td><td>0</td><td class=\"paid-count\">0</td><td>0</td><td>0.00</td>" \
                  "<td class=\"paid-amount\">0.00</td><td>—</td>"
    else:
        updated = localtime(s.updated_at).strftime("%Y-%m-%d %H:%M") if s.updated_at else "—"
        figures = (f"<td>{_count(s.members)}</td><td>{_count(s.billed)}</td><td class=\"paid-count\">{_count(s.paid)}</td>"
                   f"<td>{_count(s.unpaid)}</td><td>{_yuan(s.billed_amount)}</td>"
                   f"<td class=\"paid-amount\">{_yuan(s.paid_amount)}</td><td>{updated}</td>")
    own_class = ' class="own"' if own else ""
    return (f'<tr{own_class}><td>{name_cell}</td>\n{figures}\n'
            f'<td><a href="{esc(members_url)}?org={o.pk}&month={month_param}">查看交费团员明细</a></td></tr>\n')


def _members_filters(request):
    form = MembersForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else False
    data = form.cleaned_data if valid else {}
    org = selectors.org_in_scope(request.actor, data.get("org"))
    paid = {"0": False, "1": True}.get(data.get("paid") or "")
    return form, org, form.month_or_now() if form.is_bound else QueryForm().month_or_now(), paid, data.get("phone") or ""


@require_GET
@org_actor_required
def members(request):
    """团费详情: the month's bills of the org's subtree, with 累计未交 and 自愿交费 (reference §2.1.7)."""
    form, org, month, paid, phone = _members_filters(request)
    after = request.GET.get("after")
    rows, cursor = selectors.month_members(actor=request.actor, org=org, month=month, paid=paid, phone=phone,
                                           after=int(after) if after and after.isdigit() else None)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "dues/members.html", {"form": form, "org": org, "month": month, "rows": rows,
                                                 "cursor": cursor, "query": query.urlencode(),
                                                 "first_page": not after})


EXPORT_HEADERS = ["团员姓名", "政治面貌", "手机号码", "账单所属团支部", "团员当前所属支部", "账单月份", "当月应交金额（元）",
                  "自愿交费金额（元）", "当月交纳状态", "交纳方式", "交纳人", "累计未交团费月数", "累计未交团费总额（元）"]


@require_GET
@org_actor_required
def export(request):
    form, org, month, paid, phone = _members_filters(request)
    qs = selectors.month_members(actor=request.actor, org=org, month=month, paid=paid, phone=phone, limit=None)
    if qs[: selectors.EXPORT_MAX_ROWS + 1].count() > selectors.EXPORT_MAX_ROWS:
        messages.error(request, selectors.ERR_EXPORT_TOO_MANY)
        return redirect(f"{reverse('dues:members')}?{request.GET.urlencode()}")
    rows = ([b.member.name, b.member.get_political_status_display(), b.member.phone, b.branch.full_name,
             b.member.branch.full_name, f"{b.month:%Y-%m}", b.amount, b.donated, "已交" if b.paid_at else "未交",
             b.get_paid_via_display() if b.paid_via else "", b.payer_label, b.owed_months, b.owed_amount]
            for b in map(selectors.with_places, qs.iterator(chunk_size=1000)))
    return xlsx_response(f"团费详情_{org.short_name}_{month:%Y%m}.xlsx", [Sheet("团费详情", EXPORT_HEADERS, rows)])


@org_actor_required
def member_bills(request, pk):
    """A member's bill history (累计未交, 自愿交费) and, for the owning branch, the offline record."""
    member = selectors.member_in_scope(request.actor, pk)
    bills = list(selectors.bill_history(member))
    own_unpaid = [b for b in bills if b.paid_at is None and b.branch_id == request.actor.org.pk]
    form = OfflineForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                n, total = offline.offline_record(actor=request.actor, member=member,
                                                  bill_ids=int_list(request.POST.getlist("bills")),
                                                  note=form.cleaned_data["note"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已登记{member.name}线下交纳团费{n}个月，共{total}元")
                return redirect("dues:member_bills", member.pk)
    return render(request, "dues/member_bills.html", {
        "member": member, "bills": bills, "summary": selectors.member_summary(member), "own_unpaid": own_unpaid,
        "form": form}, status=400 if request.method == "POST" else 200)


@require_GET
@org_actor_required
def retention_view(request):
    """团费留存: the org's retained amount this month and each direct child's (manual formula)."""
    form = QueryForm(request.GET or None)
    month = form.month_or_now()
    rows = retention.retention_view(request.actor.org, month)
    return render(request, "dues/retention.html", {"form": form, "month": month, "rows": rows})


@org_actor_required
@capability_required(SUBORDINATES)
def retention_settings(request):
    """团费留存设置: each direct child's 留存 (set by the parent)."""
    children = request.actor.org.get_children().order_by("path")
    return render(request, "dues/retention_settings.html", {"children": children})


@require_GET
@org_actor_required
@capability_required(SUBORDINATES)
def retention_export(request):
    """导出: the direct children's settings, which is also the import template."""
    return xlsx_response(f"团费留存设置_{request.actor.org.short_name}.xlsx", [
        Sheet("团费留存设置", retention.IMPORT_HEADERS, retention.retention_rows(request.actor),
              widths={1: 14, 2: 40, 3: 22, 4: 22, 5: 22})])


@org_actor_required
@capability_required(SUBORDINATES)
def retention_import(request):
    """导入: all rows or none; each bad row named with its reason."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            n = retention.retention_import(actor=request.actor, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已导入{n}个直属下级组织的团费留存设置")
            return redirect("dues:retention_settings")
    return render(request, "dues/retention_import.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@org_actor_required
@capability_required(SUBORDINATES)
def retention_edit(request, pk):
    child = get_in_scope(request.actor, Organization.objects.filter(depth=request.actor.org.depth + 1), pk=pk)
    initial = {"retains_dues": child.retains_dues, "retention_ratio": child.retention_ratio,
               "sub_account_valid": child.sub_account_valid}
    form = RetentionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            retention.retention_set(actor=request.actor, org=child, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存{child.full_name}的团费留存设置")
            return redirect("dues:retention_settings")
    return render(request, "dues/retention_edit.html", {"form": form, "child": child},
                  status=400 if request.method == "POST" else 200)


@org_actor_required
def tier_list(request):
    """交费设置: the tiers; the provincial account edits them (reference §4.10)."""
    return render(request, "dues/tiers.html", {"tiers": DuesTier.objects.all(),
                                               "can_edit": tiers.is_province(request.actor.org)})


@org_actor_required
def tier_edit(request, pk):
    if not tiers.is_province(request.actor.org):
        raise PermissionDenied(tiers.ERR_PROVINCE_ONLY)
    tier = get_object_or_404(DuesTier, pk=pk)
    form = TierForm(request.POST or None, initial={"amount": tier.amount})
    if request.method == "POST" and form.is_valid():
        try:
            tiers.tier_update(actor=request.actor, tier=tier, amount=form.cleaned_data["amount"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已将{tier.name}设为每月{form.cleaned_data['amount']}元，自下月账单起生效")
            return redirect("dues:tiers")
    return render(request, "dues/tier_edit.html", {"form": form, "tier": tier},
                  status=400 if request.method == "POST" else 200)

