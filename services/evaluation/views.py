"""教育评议, 年度注册进度 and 成长档案 on /manage/evaluation/ (thin views)."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from portal.decorators import org_actor_required
from portal.html import esc
from portal.params import int_or_none
from portal.tables import labels_of, tbody
from services.members.models import Member
from services.members.views import error_text

from . import selectors, services
from .models import Grade

ERR_BRANCH_ONLY = services.ERR_NOT_BRANCH
ERR_REMIND_ORG = "请在年度注册进度页选择要提醒的组织"


def _year(request):
    years = selectors.year_choices()
    year = int_or_none(request.GET.get("year") or request.POST.get("year"))
    return year if year in years else selectors.default_year(), years


def _branch_only(request):
    if not request.actor.org.is_branch:
        raise PermissionDenied(ERR_BRANCH_ONLY)


@org_actor_required
def grades(request):
    """教育评议: the branch's batch entry of the year's grades (editable until submitted)."""
    _branch_only(request)
    year, years = _year(request)
    errors = []
    if request.method == "POST":
        posted = {key[6:]: value for key, value in request.POST.items() if key.startswith("grade_") and value}
        try:
            services.grades_save(actor=request.actor, year=year, grades=posted)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "评议结果已保存")
            return redirect(f"{reverse('evaluation:grades')}?year={year}")
    evaluation, rows, counts = selectors.grade_sheet(actor=request.actor, year=year)
    if errors:  # show what was posted, not what is stored
        rows = [(m, int_or_none(request.POST.get(f"grade_{m.pk}")) or g, party) for m, g, party in rows]
    row_html = partial(_grade_row_html, bool(evaluation and evaluation.locked), Grade.choices,
                       labels_of(Member, "political_status")["political_status"])
    return render(request, "evaluation/grades.html", {
        "year": year, "years": years, "evaluation": evaluation, "rows": rows, "counts": counts,
        "grades": Grade.choices, "errors": errors, "percent": services.EXCELLENT_PERCENT,
        "body": tbody(rows, row_html, empty="本支部暂无团籍正常的团员", colspan=4)})


def _grade_row_html(locked, grades, political, row):
    """One member's row of the grade entry (built in Python: issue 16): a select until submitted."""
    m, g, party = row
    name = esc(m.name)
    if party:
        cell = '<span class="muted">党员不参加评议</span>'
    elif locked:
        cell = "".join(esc(label) for v, label in grades if v == g)
    else:
        options = "".join(f'<option value="{v}"{" selected" if v == g else ""}>{esc(label)}</option>'
                          for v, label in grades)
        cell = (f'<select name="grade_{m.pk}" aria-label="{name}的评议结果"><option value="">请选择</option>'
                f"{options}</select>")
    return (f"<tr><td>{name}</td><td>{esc(m.masked_id)}</td>"
            f"<td>{esc(political.get(m.political_status, m.political_status))}</td><td>\n{cell}</td></tr>")


@org_actor_required
def submit(request):
    _branch_only(request)
    year, _ = _year(request)
    back = f"{reverse('evaluation:grades')}?year={year}"
    if request.method == "POST":
        try:
            services.evaluation_submit(actor=request.actor, year=year)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(back)
        messages.success(request, "评议结果已提交，已通知团员进行年度注册")
        return redirect(f"{reverse('evaluation:progress')}?year={year}")
    return render(request, "manage/confirm.html", {
        "title": f"提交{year}年度教育评议结果",
        "text": "提交后评议结果不能再修改，系统将通知本支部团员（含保留团籍的团干部和党员）进行年度注册；"
                "评议不合格的团员暂缓注册。确定提交吗？",
        "action_label": "提交并开启年度注册", "cancel_url": back})


@org_actor_required
def progress(request):
    """年度注册进度 of an org of the subtree and its direct children; a branch also lists its members."""
    year, years = _year(request)
    data = selectors.registration_progress(actor=request.actor, year=year,
                                           org_pk=int_or_none(request.GET.get("org")))
    rows = selectors.branch_registrations(actor=request.actor, year=year, branch=data.org) \
        if data.org.is_branch else []
    children = mark_safe("".join(_child_row_html(year, c, t) for c, t in data.children))  # noqa: S308 - escaped
    return render(request, "evaluation/progress.html", {"p": data, "year": year, "years": years, "rows": rows,
                                                        "children": children})


def _child_row_html(year, c, t):
    """One direct child's row of 年度注册进度 (built in Python: issue 16); ``t`` its tally, or None."""
    link = f'<td><a href="?year={year}&org={c.pk}">{esc(c.full_name)}</a></td>'
    if t is None:
        return f'<tr>{link}<td colspan="6" class="muted">未开始</td></tr>'
    return (f"<tr>{link}<td>{t.branches}</td><td>{t.members}</td><td>{t.registered}</td><td>{t.deferred}</td>"
            f"<td>{t.unregistered}</td><td>{t.percent}%</td></tr>")


@require_POST
@org_actor_required
def remind(request):
    year, _ = _year(request)
    org_pk = int_or_none(request.POST.get("org"))
    if org_pk is None:
        messages.error(request, ERR_REMIND_ORG)
        return redirect(f"{reverse('evaluation:progress')}?year={year}")
    data = selectors.registration_progress(actor=request.actor, year=year, org_pk=org_pk)
    n = services.registration_remind(actor=request.actor, year=year, org=data.org)
    messages.success(request, f"已提醒{n}名未注册的团员" if n else "没有需要提醒的团员（今天已提醒过的不再重复提醒）")
    return redirect(f"{reverse('evaluation:progress')}?year={year}&org={data.org.pk}")


@org_actor_required
def deferred(request):
    """不合格 members of the subtree (暂缓注册) for follow-up; the branch re-evaluates them here."""
    year, years = _year(request)
    return render(request, "evaluation/deferred.html", {
        "rows": selectors.unqualified_in_scope(actor=request.actor, year=year), "year": year, "years": years,
        "grades": [g for g in Grade.choices if g[0] != Grade.UNQUALIFIED], "is_branch": request.actor.org.is_branch})


@require_POST
@org_actor_required
def reassess(request, pk):
    _branch_only(request)
    row = selectors.registration_get(actor=request.actor, pk=pk)
    try:
        services.grade_reassess(actor=request.actor, registration=row, grade=request.POST.get("grade"))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{row.member.name}再次评议合格，已解除暂缓注册并通知其注册")
    return redirect(f"{reverse('evaluation:deferred')}?year={row.year}")


@org_actor_required
def branch_archive(request):
    """成长档案 of a branch (the actor's own, or ?branch= of the subtree)."""
    branch, years, rows = selectors.branch_archive(actor=request.actor,
                                                   branch_pk=int_or_none(request.GET.get("branch")))
    return render(request, "evaluation/branch_archive.html", {"branch": branch, "years": years, "rows": rows})


@org_actor_required
def member_archive(request, pk):
    archive = selectors.member_archive_get(actor=request.actor, pk=pk)
    return render(request, "evaluation/member_archive.html", {"a": archive, "org_end": True})
