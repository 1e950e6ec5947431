"""首页文章 on the service pages (/manage/, menu 其他功能): an org with the right publishes its own
articles with its own login (the manual: the org publishes); the provincial account grants and
withdraws the 本地 right and creates CMS logins bound to an org. Thin views over the same services
(writes, audited) and selectors (scoped reads) as the CMS; no rule lives here."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from portal.decorators import org_actor_required
from portal.forms import add_service_errors
from portal.pagination import page_of

from . import selectors, services
from .forms import CmsAccountForm, LocalRightForm, ManageArticleForm
from .models import ArticleKind, HomeArticle
from .permissions import allowed_kinds, check_can_publish, is_provincial, may_publish_cached, require_provincial

PAGE_SIZE = 20
CREDENTIALS_KEY = "home_articles_cms_credentials"
KINDS = {"featured": ArticleKind.FEATURED, "local": ArticleKind.LOCAL}

ERR_NO_RIGHT = "本组织没有发布首页文章的权限"


def provincial_required(view):
    """The provincial account (or its operators) only: others are refused with the reason."""

    @org_actor_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_provincial(request.actor)
        return view(request, *args, **kwargs)

    return wrapper


def may_publish(actor):
    """Menu test: the org may publish at least one type of article."""
    return may_publish_cached(actor.org)


def is_provincial_actor(actor):
    return is_provincial(actor.org)


# --- 首页文章管理 --------------------------------------------------------------------------------

@org_actor_required
def article_list(request):
    actor = request.actor
    qs = selectors.org_articles(actor=actor)
    kinds = allowed_kinds(actor.org)
    if not kinds and not qs.exists():  # an org that lost the right may still take its articles down
        raise PermissionDenied(ERR_NO_RIGHT)
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
    return render(request, "home_articles/manage/list.html", {
        "page": page, "now": timezone.now(), "can_featured": ArticleKind.FEATURED in kinds, "can_local": ArticleKind.LOCAL in kinds,
    })


@org_actor_required
def article_create(request, kind):
    actor = request.actor
    if kind not in KINDS:
        raise Http404
    check_can_publish(actor.org, KINDS[kind])  # refused with its reason before the form is shown
    form = ManageArticleForm(request.POST or None, request.FILES or None, instance=HomeArticle(kind=KINDS[kind]))
    if request.method == "POST" and form.is_valid():
        try:
            services.article_create(actor=actor, article=form.save(commit=False),
                                    cover_file=form.cleaned_data.get("cover_file"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "发布成功")
            return redirect("home_articles:manage_list")
    title = f"发布{KINDS[kind].label}"
    return render(request, "home_articles/manage/form.html", {"form": form, "title": title,
                                                              "kind_label": KINDS[kind].label})


@org_actor_required
def article_edit(request, pk):
    actor = request.actor
    article = selectors.org_article_get(actor=actor, pk=pk)
    before = services.article_snapshot(article)
    form = ManageArticleForm(request.POST or None, request.FILES or None, instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            services.article_update(actor=actor, article=form.save(commit=False), before=before,
                                    cover_file=form.cleaned_data.get("cover_file"))
        except PermissionDenied as exc:  # e.g. re-publishing after the right was withdrawn
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "保存成功")
            return redirect("home_articles:manage_list")
    return render(request, "home_articles/manage/form.html", {
        "form": form, "article": article, "title": f"编辑：{article.title}",
        "kind_label": article.get_kind_display()})


@org_actor_required
def article_delete(request, pk):
    actor = request.actor
    article = selectors.org_article_get(actor=actor, pk=pk)
    if request.method == "POST":
        services.article_delete(actor=actor, article=article)
        messages.success(request, f"已删除“{article.title}”")
        return redirect("home_articles:manage_list")
    return render(request, "manage/confirm.html", {
        "title": "删除首页文章", "action_label": "确认删除", "cancel_url": reverse("home_articles:manage_list"),
        "text": f"确定删除“{article.title}”？删除后团员首页不再显示。如只需暂时撤下，可编辑文章取消“已发布”。"})


# --- 本地文章发布权限 (the provincial account) --------------------------------------------------------

@provincial_required
def local_rights(request):
    actor = request.actor
    form = LocalRightForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed = request.POST.get("action") != "withdraw"
        try:
            services.local_right_set(actor=actor, org=form.org, allowed=allowed, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已{'授予' if allowed else '收回'}“{form.org.full_name}”发布本地文章的权限")
            return redirect("home_articles:rights")
    orgs = page_of(selectors.local_right_orgs(actor=actor), 50, request.GET.get("page"))
    rows = [(org, selectors.effective_local_right(org)) for org in orgs]
    return render(request, "home_articles/manage/rights.html", {"form": form, "page": orgs, "rows": rows})


# --- CMS宣传干部账号 (the provincial account) ------------------------------------------------------

@provincial_required
def cms_account_list(request):
    page = page_of(selectors.cms_accounts(actor=request.actor), PAGE_SIZE, request.GET.get("page"))
    return render(request, "home_articles/manage/accounts.html", {"page": page})


def _show_credentials_once(request, user, password, reason):
    request.session[CREDENTIALS_KEY] = {"name": user.first_name, "org": user.organization.full_name,
                                        "username": user.username, "password": password, "reason": reason}
    return redirect("home_articles:cms_credentials")


@provincial_required
def cms_account_create(request):
    actor = request.actor
    form = CmsAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.cms_account_create(actor=actor, org=form.org, username=data["username"],
                                                         name=data["name"], roles=data["roles"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _show_credentials_once(request, user, password, "新建账号成功")
    return render(request, "home_articles/manage/account_form.html", {"form": form})


@provincial_required
def cms_credentials(request):
    """The one-time display of a CMS login's password. Gone after one view."""
    return render(request, "home_articles/manage/credentials.html",
                  {"credentials": request.session.pop(CREDENTIALS_KEY, None)})


@provincial_required
def cms_account_reset_password(request, pk):
    actor = request.actor
    user = selectors.cms_account_get(actor=actor, pk=pk)
    if request.method == "POST":
        password = services.cms_account_reset_password(actor=actor, user=user)
        return _show_credentials_once(request, user, password, "重置密码成功")
    return render(request, "manage/confirm.html", {
        "title": "重置密码", "action_label": "确认重置", "cancel_url": reverse("home_articles:cms_accounts"),
        "text": f"将为“{user.first_name}”（{user.username}）生成新的随机密码（仅显示一次），下次登录时须修改密码。确认重置？"})


@provincial_required
def cms_account_active(request, pk):
    actor = request.actor
    user = selectors.cms_account_get(actor=actor, pk=pk)
    active = not user.is_active
    if request.method == "POST":
        services.cms_account_set_active(actor=actor, user=user, active=active)
        messages.success(request, f"已{'启用' if active else '停用'}账号“{user.username}”")
        return redirect("home_articles:cms_accounts")
    return render(request, "manage/confirm.html", {
        "title": "启用账号" if active else "停用账号", "action_label": "确认",
        "cancel_url": reverse("home_articles:cms_accounts"),
        "text": f"确定{'启用' if active else '停用'}“{user.first_name}”（{user.username}）的CMS账号？"
                + ("" if active else "停用后该账号不能登录，其发布的文章保留。")})
