"""The member end (/m/...): 团员报到, 我的资料, 我的组织; and review on the cadre end (/m/cadre/members/)."""

from datetime import date

from django.contrib import auth, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgtree.models import Organization
from orgtree.selectors import org_parent
from portal.models import User, WeChatIdentity
from portal.forms import add_service_errors
from portal.params import int_or_none
from portal.views.mobile import BACKEND, SESSION_PENDING, cadre_required, member_required, pending_identity

from . import registration, review, selectors
from . import profile as profile_flow
from .choices import RegistrationStatus
from .forms import EDIT_FORMS, STEP_FORMS, STEP_TITLES, BranchSearchForm, ReasonForm, WithdrawForm
from .views import error_text

SESSION_KEY = "members_register"  # {"branch": org id, "data": {field: json value}}
LAST_STEP = 4
ERR_BRANCH_REVIEWS = "团员报到与资料修改由团员所在团支部审核"


def _member(request):
    return request.actor.extra.get("member") if request.user.is_authenticated else None


def _registrant(request):
    """(user, openid) of whoever may submit 报到 now, or None."""
    if request.user.is_authenticated:
        if request.user.kind != User.Kind.MEMBER:
            return None
        member = _member(request)
        if member is None or member.registration_status in (RegistrationStatus.WITHDRAWN, RegistrationStatus.RETURNED):
            return request.user, None
        return None
    openid = pending_identity(request, WeChatIdentity.Kind.MP)
    return (None, openid) if openid else None


def _state(request):
    return request.session.get(SESSION_KEY) or {"branch": None, "data": {}}


def _save_state(request, state):
    request.session[SESSION_KEY] = state
    request.session.modified = True


def _to_json(data):
    out = {}
    for k, v in data.items():
        out[k] = v.isoformat() if isinstance(v, date) else v
    return out


def _from_json(data):
    out = dict(data)
    for k in registration.DATE_FIELDS:
        if out.get(k):
            out[k] = date.fromisoformat(out[k])
    return out


def _branch(state):
    return Organization.objects.filter(pk=state.get("branch") or 0).first()


def register(request):
    """Where an unknown openid lands (``mobile:member_register``), and where a member re-registers."""
    if _registrant(request) is None:
        if request.user.is_authenticated and request.user.kind == User.Kind.MEMBER:
            return redirect("members:register_status")
        return redirect("mobile:member_login")
    state = _state(request)
    member = _member(request)
    if member is not None and not state["data"]:
        # 修改资料重新报到: start from what they submitted last time.
        state = {"branch": member.branch_id,
                 "data": _to_json({f: getattr(member, f) for f in registration.REGISTRATION_FIELDS if f != "branch"})}
        _save_state(request, state)
    return render(request, "members/m_register.html", {"branch": _branch(state), "member": member})


def register_branch(request, code):
    """The branch's QR link: remember the branch, log in if need be, then the wizard."""
    branch = selectors.branch_by_code(code)
    if branch is None:
        return render(request, "members/m_message.html", {
            "title": "团员报到", "message": "未找到该团支部，请向团支部书记确认报到二维码。"}, status=404)
    state = _state(request)
    state["branch"] = branch.pk
    _save_state(request, state)
    if _registrant(request) is None:
        if request.user.is_authenticated:
            return redirect("members:register_status")
        return redirect(f"{reverse('mobile:member_login')}?next={request.path}")
    return redirect("members:register_step", 1)


def branch_search(request):
    if _registrant(request) is None:
        return redirect("mobile:member_register")
    form = BranchSearchForm(request.GET or None)
    query = form.data.get("q", "") if form.is_bound else ""
    results = selectors.branch_search(query)
    if request.method == "POST":
        branch = registration.eligible_branches().filter(pk=int_or_none(request.POST.get("branch")) or 0).first()
        if branch is not None:
            state = _state(request)
            state["branch"] = branch.pk
            _save_state(request, state)
            return redirect("members:register_step", 1)
        messages.error(request, registration.ERR_BRANCH_NOT_ELIGIBLE)
    return render(request, "members/m_branch_search.html", {"form": form, "results": results, "query": query,
                                                            "vague": bool(query) and not results})


def register_step(request, step):
    who = _registrant(request)
    if who is None:
        return redirect("mobile:member_register")
    if step not in STEP_FORMS:
        raise Http404
    state = _state(request)
    branch = _branch(state)
    if branch is None:
        return redirect("members:branch_search")
    data = _from_json(state["data"])
    birth = data.get("birth_date")
    kwargs = {2: {"birth_date": birth, "registering": True},
              4: {"joined_league": data.get("joined_league"), "birth_date": birth}}.get(step, {})
    form = STEP_FORMS[step](request.POST or None, initial=data, **kwargs)
    if request.method == "POST" and form.is_valid():
        data.update(form.cleaned_data)
        state["data"] = _to_json(data)
        _save_state(request, state)
        if step < LAST_STEP:
            return redirect("members:register_step", step + 1)
        user, openid = who
        try:
            member = registration.member_register(data={**data, "branch": branch}, user=user, openid=openid)
        except ValidationError as exc:
            add_service_errors(form, exc)
            messages.error(request, error_text(exc))
        else:
            request.session.pop(SESSION_KEY, None)
            request.session.pop(SESSION_PENDING, None)
            if user is None:
                auth.login(request, member.user, backend=BACKEND)
            messages.success(request, "报到资料已提交，请等待团支部审核")
            return redirect("members:register_status")
    return render(request, "members/m_step.html", {
        "form": form, "step": step, "title": STEP_TITLES[step], "branch": branch, "last": step == LAST_STEP,
        "steps": range(1, LAST_STEP + 1)})


@member_required
def register_status(request):
    member = _member(request)
    if member is None:
        return redirect("mobile:member_register")
    return render(request, "members/m_status.html", {"m": member, "withdraw_form": WithdrawForm()})


@require_POST
@member_required
def withdraw(request):
    member = _member(request)
    if member is None:
        return redirect("mobile:member_register")
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        registration.member_withdraw(member=member, confirm=form.cleaned_data.get("confirm", ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        request.session.pop(SESSION_KEY, None)
        messages.success(request, "已撤回报到，您可以重新报到")
    return redirect("members:register_status")


@member_required
def profile(request):
    member = _member(request)
    if member is None:
        return redirect("mobile:member_register")
    if member.registration_status not in (3, 4, 5):
        return redirect("members:register_status")
    return render(request, "members/m_profile.html", {
        "m": member, "diff": profile_flow.pending_diff(member), "blocked": profile_flow.modify_problem(member)})


@member_required
def profile_edit(request, group):
    member = _member(request)
    if member is None or group not in EDIT_FORMS:
        raise Http404
    blocked = profile_flow.modify_problem(member)
    if blocked:
        messages.error(request, blocked)
        return redirect("members:profile")
    if group == "reviewed" and member.registration_status == RegistrationStatus.CHANGE_PENDING:
        messages.error(request, profile_flow.ERR_CHANGE_PENDING)
        return redirect("members:profile")
    initial = profile_flow.current_values(member, registration.EDIT_GROUPS[group])
    kwargs = {"extra": {"joined_league": member.joined_league, "birth_date": member.birth_date},
              "reviewed": {"birth_date": member.birth_date}}.get(group, {})
    form = EDIT_FORMS[group](request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            profile_flow.member_profile_update(member=member, group=group, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已提交，等待团支部审核" if group == "reviewed" else "修改成功")
            return redirect("members:profile")
    title = {"reviewed": "修改收入、政治面貌与团干信息（需团支部审核）", "basic": "修改基本资料", "extra": "修改其他资料"}[group]
    return render(request, "members/m_edit.html", {"form": form, "title": title, "group": group})


@member_required
def my_org(request):
    member = _member(request)
    if member is None or member.registration_status not in (3, 4, 5):
        return redirect("members:register_status" if member else "mobile:member_register")
    branch = member.branch
    return render(request, "members/m_org.html", {"org": branch, "parent": org_parent(branch),
                                                  "cadres": selectors.branch_cadres(branch)})


# --- the cadre end: every cadre views the working org's members; operators of a branch review ------
# (manual: 普通团干仅具备查看权限; reference §1.2: 审核 on the cadre end only for a 团支部's operator)

ERR_VIEW_ONLY = "普通团干只能查看，没有审核权限；请由本组织运营者审核。"


def _may_review(actor):
    return actor.acts_for_org and actor.org.is_branch


def _refuse(request, message):
    """403 with the reason, in the cadre end's layout."""
    return render(request, "members/m_message.html", {"title": "团员审核", "message": message}, status=403)


@cadre_required
def cadre_members(request):
    """团员查询: members of the working org's subtree, or of one branch of it (read only)."""
    from services.cadres.selectors import org_viewable

    actor = request.actor
    org = org_viewable(actor, request.GET["org"]) if request.GET.get("org") else None
    name = request.GET.get("name", "").strip()
    rows, cursor = selectors.cadre_end_member_page(actor=actor, filters={"name": name}, within=org,
                                                   after=request.GET.get("after"))
    return render(request, "members/m_cadre_members.html", {
        "rows": rows, "cursor": cursor, "org": org, "name": name, "may_review": _may_review(actor)})


@cadre_required
def cadre_review(request):
    """团员审核: the branch's 报到 and 资料修改 awaiting review (operators of a 团支部)."""
    actor = request.actor
    if not _may_review(actor):
        return _refuse(request, ERR_VIEW_ONLY if not actor.acts_for_org else ERR_BRANCH_REVIEWS)
    status = request.GET.get("status", "1")
    status = status if status in ("1", "4") else "1"
    rows, cursor = selectors.member_page(actor=actor, filters={"registration_status": status},
                                         after=request.GET.get("after"))
    return render(request, "members/m_cadre_list.html", {"rows": rows, "cursor": cursor, "status": status})


@cadre_required
def cadre_member(request, pk):
    """团员资料 (masked ID for ordinary cadres); the branch's operator reviews here too."""
    actor = request.actor
    member = selectors.cadre_end_member_get(actor=actor, pk=pk)
    can_review = _may_review(actor) and member.branch_id == actor.org.pk and member.registration_status in (1, 4)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if not actor.acts_for_org:
            return _refuse(request, ERR_VIEW_ONLY)
        change = member.registration_status == RegistrationStatus.CHANGE_PENDING
        try:
            if request.POST.get("decision") == "approve":
                if member.real_name_status == 2:  # reference: WeChat Work refuses and sends to the PC
                    raise ValidationError("该团员身份证校验未通过，请到PC端进行审核")
                (profile_flow.change_approve if change else review.member_approve)(actor=actor, member=member)
            else:
                form.is_valid()
                (profile_flow.change_return if change else review.member_return)(
                    actor=actor, member=member, reason=form.cleaned_data.get("reason"))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "审核完成")
            return redirect("members:cadre_review")
    return render(request, "members/m_cadre_member.html", {
        "m": member, "form": form, "diff": profile_flow.pending_diff(member), "can_review": can_review,
        "id_shown": member.id_number if actor.acts_for_org else member.masked_id})
