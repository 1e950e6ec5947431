"""Service pages of 团员管理 (/manage/members/...): thin — parse, call one service or selector, render."""

import io
from functools import partial

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_POST

from orgtree.models import Organization
from orgtree.capabilities import SUBORDINATES, capability_required
from portal import uploads
from portal.decorators import org_actor_required
from portal.exports import Sheet, xlsx_response
from portal.filters import bind_filter_form, query_without
from portal.forms import add_service_errors
from portal.params import int_list, int_or_none
from portal.html import esc
from portal.tables import Row, labels_of, pk_url, props_html, tbody, warn

from . import profile, registration, selectors, status
from . import review as review_flow
from .models import Member
from .choices import LEFT_STATES, LeagueStatus, RealNameStatus, RegistrationStatus
from .forms import DeletionForm, MemberFilterForm, OfflineForm, ReasonForm, RestoreForm, StatusApplyForm


def error_text(exc):
    if hasattr(exc, "error_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def _list(request, *, title, fixed=None, template="members/list.html"):
    form, moved = bind_filter_form(request, MemberFilterForm)  # 身份证号 never in the address
    if moved:
        return moved
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    filters.update(fixed or {})
    members, cursor = selectors.member_page(actor=request.actor, filters=filters, after=request.GET.get("after"))
    # the branch reviews its own members' 报到 (reference §1.2a)
    can_batch = request.actor.org.is_branch and any(m.registration_status == RegistrationStatus.PENDING
                                                    for m in members)
    rows = _table_rows(members)
    return render(request, template, {
        "form": form, "rows": rows, "cursor": cursor, "title": title,
        "body": tbody(rows, partial(_row_html, can_batch), empty="暂无团员", colspan=14),
        "query": query_without(request, "after"),
        "first_page": not request.GET.get("after"), "is_branch": request.actor.org.is_branch,
        "can_batch": can_batch,
    })


_LABELS = labels_of(Member, "id_type", "real_name_status", "political_status", "registration_status",
                    "deletion_state", "league_status")


def _table_rows(members):
    """我的团员's cells as :class:`portal.tables.Row` s (the page was 5× a trivial view, most of it rendering)."""
    detail = pk_url("members:detail")
    return [Row({
        "pk": m.pk, "url": detail(m.pk), "name": m.name, "phone": m.phone, "masked_id": m.masked_id,
        "member_number": m.member_number,
        "registration_status": m.registration_status, "real_name_status": m.real_name_status,
        "submitted_at": localtime(m.submitted_at).strftime("%Y-%m-%d %H:%M") if m.submitted_at else "",
        "branch": m.branch.full_name,
        **{f"{name}_label": labels.get(getattr(m, name), "") for name, labels in _LABELS.items()},
    }) for m in members]


_TO_REVIEW = (RegistrationStatus.PENDING, RegistrationStatus.CHANGE_PENDING)
_REAL_NAME_WARN = (RealNameStatus.CHECKING, RealNameStatus.FAILED)


def _row_html(can_batch, m):
    pick = ""
    if can_batch:
        box = (f'<input type="checkbox" name="ids" value="{m["pk"]}" form="batch-approve" aria-label="选择{esc(m["name"])}">'
               if m["registration_status"] == RegistrationStatus.PENDING else "")
        pick = f"<td>{box}</td>"
    review = m["registration_status"] in _TO_REVIEW
    return (
        f'<tr>{pick}<td class="name">{esc(m["name"])}</td><td>{esc(m["phone"])}</td><td>{esc(m["id_type_label"])}</td>'
        f'<td>{esc(m["masked_id"])}</td>'
        f'<td{warn(m["real_name_status"] in _REAL_NAME_WARN)}>{esc(m["real_name_status_label"])}</td>'
        f'<td>{esc(m["political_status_label"])}</td><td>{esc(m["submitted_at"])}</td>'
        f'<td{warn(review)}>{esc(m["registration_status_label"])}</td>'
        f'<td class="wrap">{esc(m["branch"])}</td><td>{esc(m["member_number"])}</td>'
        f'<td>{esc(m["deletion_state_label"])}</td><td>{esc(m["league_status_label"])}</td>'
        f'<td class="actions"><a href="{esc(m["url"])}">{"审核" if review else "查看"}</a></td></tr>')


@org_actor_required
def member_list(request):
    return _list(request, title="我的团员")


@org_actor_required
def aged_out_list(request):
    return _list(request, title="满28周岁已离团", fixed={"league_status": [LeagueStatus.AGED_OUT]})


@org_actor_required
def left_list(request):
    return _list(request, title="已脱/退团、停止团籍及开除团籍",
                 fixed={"league_status": [LeagueStatus.LAPSED, LeagueStatus.RESIGNED, LeagueStatus.STOPPED,
                                          LeagueStatus.EXPELLED]})


@org_actor_required
def held_back_list(request):
    rows = selectors.held_back_in_scope(actor=request.actor, as_of=timezone.localdate())
    return render(request, "members/held_back.html", {"rows": rows})


MEMBER_EXPORT_HEADERS = ["姓名", "手机号码", "证件类型", "身份证号码", "实名认证状态", "政治面貌", "全日制学历", "职业",
                         "申请报到时间", "资料审核时间", "报到资料状态", "所在团支部", "团员编号", "删除状态", "团籍状态"]


@require_GET
@org_actor_required
def member_export(request):
    form, _ = bind_filter_form(request, MemberFilterForm)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    fmt = lambda dt: timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""  # noqa: E731
    rows = (
        [m.name, m.phone, m.get_id_type_display(), m.masked_id, m.get_real_name_status_display(),
         m.get_political_status_display(), m.get_education_display(),
         m.get_occupation_display() if m.occupation else "", fmt(m.submitted_at), fmt(m.reviewed_at),
         m.get_registration_status_display(), m.branch.full_name, m.member_number,
         m.get_deletion_state_display(), m.get_league_status_display()]
        for m in selectors.member_export_rows(actor=request.actor, filters=filters).iterator(chunk_size=2000)
    )
    return xlsx_response(f"团员名单-{timezone.localdate():%Y%m%d}.xlsx", [Sheet("团员", MEMBER_EXPORT_HEADERS, rows)])


@org_actor_required
def member_detail(request, pk):
    member = selectors.member_get(actor=request.actor, pk=pk)
    actor = request.actor
    own_branch = actor.org.pk == member.branch_id
    return render(request, "members/detail.html", {
        "m": member, "own_branch": own_branch, "basic": _basic_props(member), "extra": _extra_props(member), "diff": profile.pending_diff(member),
        "requests": selectors.latest_requests(member), "is_left": member.league_status in LEFT_STATES,
        "return_form": ReasonForm(), "offline_form": OfflineForm(),
        "can_review": own_branch and member.registration_status in (RegistrationStatus.PENDING,
                                                                     RegistrationStatus.CHANGE_PENDING),
    })


_DETAIL_LABELS = {**_LABELS, **labels_of(Member, "sex", "income", "cadre_post", "cadre_nature", "education",
                                          "highest_education", "occupation")}
_NONE = "—"


def _label(m, name):
    value = getattr(m, name)
    return "" if value is None else _DETAIL_LABELS[name].get(value, value)


def _month(day):
    return f"{day.year}年{day.month:02d}月" if day else ""


def _yes_no(flag):
    return "是" if flag else "否"


def _basic_props(m):
    """团员详情's 基本信息, built in Python: some forty fields were most of the page's rendering."""
    real_name = _label(m, "real_name_status") + (f"（{m.real_name_reason}）" if m.real_name_reason else "")
    pairs = [
        ("姓名", m.name), ("证件类型", _label(m, "id_type")), ("身份证号", m.id_number),
        ("实名认证状态", real_name, "real-name"), ("性别", _label(m, "sex") or _NONE),
        ("出生日期", f"{m.birth_date:%Y-%m-%d}"), ("入团年月", _month(m.joined_league)),
        ("所在团支部", m.branch.full_name), ("收入", _label(m, "income")), ("是否团干部", _yes_no(m.is_cadre)),
    ]
    if m.is_cadre:
        pairs += [("团内现任职务", f"{_label(m, 'cadre_post')} {m.cadre_post_name}"), ("任现职年月", _month(m.cadre_since)),
                  ("团干部性质", _label(m, "cadre_nature")), ("是否同级党委（支部）成员", _yes_no(m.party_committee_member))]
    pairs += [
        ("民族", m.nation_label), ("政治面貌", _label(m, "political_status")), ("全日制学历", _label(m, "education")),
        ("最高学历", _label(m, "highest_education")), ("户籍所在地", m.hukou), ("手机号码", m.phone),
        ("入团时所在单位", m.join_unit),
    ]
    return props_html(pairs)


def _extra_props(m):
    when = lambda dt: localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""  # noqa: E731
    pairs = [
        ("职业", _label(m, "occupation") or _NONE), ("学习工作单位", m.work_unit or _NONE), ("电子邮箱", m.email or _NONE),
        ("QQ", m.qq or _NONE), ("微信号", m.wechat or _NONE), ("微博号", m.weibo or _NONE),
        ("团员编号", m.member_number or _NONE), ("入党年月", _month(m.joined_party) or _NONE),
        ("注册志愿者时间", f"{m.volunteer_since:%Y-%m-%d}" if m.volunteer_since else _NONE),
        ("申请报到时间", when(m.submitted_at)), ("资料审核时间", when(m.reviewed_at) or _NONE),
    ]
    if m.return_reason:
        pairs.append(("退回原因", m.return_reason))
    return props_html(pairs)


def _do(request, member_pk, func, ok, form_class=None, **kwargs):
    member = selectors.member_get(actor=request.actor, pk=member_pk)
    if form_class:
        form = form_class(request.POST)
        if not form.is_valid():  # the service's own message for what is missing, e.g. 请输入退回原因
            kwargs.update({name: "" for name in form.fields})
        kwargs.update(form.cleaned_data)
    try:
        func(actor=request.actor, member=member, **kwargs)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, ok)
    return redirect("members:detail", member.pk)


@require_POST
@org_actor_required
def review(request, pk):
    member = selectors.member_get(actor=request.actor, pk=pk)
    change = member.registration_status == RegistrationStatus.CHANGE_PENDING
    if request.POST.get("decision") == "approve":
        return _do(request, pk, profile.change_approve if change else review_flow.member_approve, "审核通过")
    return _do(request, pk, profile.change_return if change else review_flow.member_return, "已退回", ReasonForm)


@require_POST
@org_actor_required
def approve_batch(request):
    """批量审核通过 from 我的团员: one result line per chosen member."""
    try:
        lines = review_flow.members_approve_batch(actor=request.actor, member_ids=int_list(request.POST.getlist("ids")))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(reverse("members:manage_list") + "?registration_status=1")
    approved = sum(1 for line in lines if line[2])
    return render(request, "members/batch_result.html", {"lines": lines, "approved": approved,
                                                         "refused": len(lines) - approved})


@require_POST
@org_actor_required
def verify_offline(request, pk):
    return _do(request, pk, review_flow.member_verify_offline, "已标记为线下验证通过", OfflineForm)


@org_actor_required
def status_apply(request, pk):
    member = selectors.member_get(actor=request.actor, pk=pk)
    form = StatusApplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            status.status_apply(actor=request.actor, member=member, kind=form.cleaned_data["kind"],
                                  reasons=form.cleaned_data["reasons"], description=form.cleaned_data["description"],
                                  files=request.FILES.getlist("attachments"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已提交，等待上级组织审核")
            return redirect("members:detail", member.pk)
    return render(request, "members/form.html", {"m": member, "form": form, "title": "离脱退团/停止团籍/开除团籍",
                                                 "multipart": True, "age": member.age_on(timezone.localdate())})


@org_actor_required
def deletion_apply(request, pk):
    member = selectors.member_get(actor=request.actor, pk=pk)
    form = DeletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            status.deletion_apply(actor=request.actor, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已申请删除，等待上级组织审核")
            return redirect("members:detail", member.pk)
    return render(request, "members/form.html", {
        "m": member, "form": form, "title": "申请删除",
        "warning": "仅用于团员报错团支部且被误审核通过，或入团时间填错且被审核通过的情况；上级批准后该团员的报到资料将被删除。"})


@org_actor_required
def restore(request, pk):
    member = selectors.member_get(actor=request.actor, pk=pk)
    form = RestoreForm(request.GET or None)
    targets = selectors.restore_targets(actor=request.actor, query=form.data.get("q")) if form.is_bound else []
    if request.actor.org.is_branch and not form.is_bound:
        targets = [request.actor.org]
    if request.method == "POST":
        branch = Organization.objects.filter(pk=int_or_none(request.POST.get("branch")) or 0).first()
        try:
            status.member_restore(actor=request.actor, member=member, branch=branch)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "已恢复团籍")
            return redirect("members:detail", member.pk)
    return render(request, "members/restore.html", {"m": member, "form": form, "targets": targets})


@org_actor_required
@capability_required(SUBORDINATES)
def request_list(request):
    return render(request, "members/requests.html", {"requests": selectors.requests_to_review(request.actor)[:200]})


@org_actor_required
def request_detail(request, pk):
    req = selectors.request_get(actor=request.actor, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if req.reviewer_id != request.actor.org.pk:
            raise Http404
        try:
            if request.POST.get("decision") == "approve":
                status.request_approve(actor=request.actor, request=req)
            else:
                form.is_valid()
                status.request_return(actor=request.actor, request=req, reason=form.cleaned_data.get("reason"))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "审核完成")
            return redirect("members:request_list")
    return render(request, "members/request_detail.html", {
        "req": req, "form": form, "can_review": req.reviewer_id == request.actor.org.pk and req.state == 0})


@org_actor_required
def attachment(request, pk, attachment_pk):
    req = selectors.request_get(actor=request.actor, pk=pk)
    att = req.attachments.filter(pk=attachment_pk).first()
    if att is None:
        raise Http404
    return uploads.file_response(att.file, att.name)


def register_url(request, branch):
    return request.build_absolute_uri(reverse("members:register_branch", args=[branch.code]))


@org_actor_required
def qr(request):
    """报到二维码: each branch's own link, so members never have to type a branch ID."""
    org = request.actor.org
    if not registration.is_eligible_branch(org):
        raise Http404("只有团支部有团员报到二维码")
    url = register_url(request, org)
    if request.GET.get("download"):
        out = io.BytesIO()
        segno.make(url, error="m").save(out, kind="png", scale=10, border=4)
        response = HttpResponse(out.getvalue(), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="qr-{org.code}.png"'
        return response
    svg = segno.make(url, error="m").svg_inline(scale=6)
    return render(request, "members/qr.html", {"org": org, "url": url, "svg": svg})
