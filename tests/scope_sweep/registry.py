"""What the scope sweep needs to know about each URL. Adding a URL is a one-line change here.

* ``FILLERS[(url, parameter)]`` gives the parameter's value(s) from the fixture province (``w``, see
  ``world.py``). ``B(...)`` marks a value that is an object of the sibling subtree 乙: the URL is then
  *scoped* and every actor of subtree 甲 must be refused (404, 403, 405 or a redirect to a login page)
  with the database unchanged. ``const(...)`` marks a value that names no object (a step number, a
  choice): the URL is then treated like one without parameters. A callable may return a list: one
  request per value.
* ``url`` is the URL's name (``"orgtree:detail"``), or its route when it has no name. A key with ``*``
  (and no regex of its own) is an ``fnmatch`` pattern (``"wagtailadmin_pages:*"``): exact keys win,
  patterns are tried in order. Patterns are for vendor namespaces (Wagtail, Django admin) and for the
  three ends of one view (``"pages:*_help"``), never a wildcard over the project's own URLs.
* ``UNSCOPED[url]`` lists, with the reason, URLs that are not about one org's data (logins, shared CMS
  content, the public 报到 links). They are still requested by everyone and must not fail (5xx), but may
  answer 200 and write (a login). ``refuse`` names actors who must nevertheless be refused there.
* ``PROBES[url]`` adds requests that name 乙's objects in the query string or the POST body (e.g.
  ``?node=`` of the lazy org tree), or that try a write which must not happen.
* ``POST_BODIES[url]`` is the body of the URL's POST when an empty one would be refused for the
  wrong reason (an approval without ``decision=approve`` is a return, which needs a reason).
* ``EXAMPLE_PATHS[url]`` gives the whole path for a regex pattern that is more than a literal.

Every other URL without parameters is requested as an *own-data* page: it must not fail, must not
write, and must not show any of 乙's names (``world.side.markers``) — lists and searches stay in scope.
"""

from dataclasses import dataclass, field

# The actors of subtree 甲 (see test_scope_sweep.ACTORS).
ORG_CITY, ORG_BRANCH, OPERATOR, OPERATOR_WORK, CADRE, MEMBER, CMS, ANONYMOUS = (
    "org_city", "org_branch", "operator", "operator_work", "cadre", "member", "cms", "anonymous")
ALL_ACTORS = (ORG_CITY, ORG_BRANCH, OPERATOR, OPERATOR_WORK, CADRE, MEMBER, CMS, ANONYMOUS)
NOT_CMS = tuple(a for a in ALL_ACTORS if a != CMS)


@dataclass(frozen=True)
class Fill:
    make: object  # callable(world) -> value or list of values
    sibling: bool  # the value is an object of subtree 乙


def B(make):  # noqa: N802 - reads as "an object of subtree B"
    return Fill(make, True)


def const(value):
    """A value that names no object; a callable of the world when it depends on the fixture."""
    return Fill(value if callable(value) else (lambda w: value), False)


@dataclass(frozen=True)
class Unscoped:
    reason: str
    refuse: tuple = ()  # actors who must still be refused here


@dataclass(frozen=True)
class Probe:
    """One more request of a URL: its own parameters, query string and POST body (callables of the world)."""

    note: str
    query: object = None
    data: object = None
    params: dict = field(default_factory=dict)
    methods: tuple = ("GET", "POST")
    scoped: bool = True  # True: every actor must be refused; False: an own-data page (no write, no 乙 names)


FILLERS = {
    # --- 组织管理 (orgtree) --------------------------------------------------------------------------
    ("orgtree:detail", "pk"): B(lambda w: [o.pk for o in w.b.orgs]),
    ("cadres:m_org", "pk"): B(lambda w: [o.pk for o in w.b.orgs]),
    ("cadres:m_directory_org", "pk"): B(lambda w: [o.pk for o in w.b.orgs]),
    ("orgtree:edit", "pk"): B(lambda w: [w.b.city.pk, w.b.working.pk, w.b.branch.pk]),
    ("orgtree:delete", "pk"): B(lambda w: [w.b.empty_branch.pk, w.b.district.pk]),
    ("orgtree:reset_password", "pk"): B(lambda w: [w.b.city.pk, w.b.branch.pk]),
    # --- 首页文章 on the service pages (home_articles) ------------------------------------------------
    ("home_articles:manage_create", "kind"): const("local"),
    ("home_articles:manage_edit", "pk"): B(lambda w: w.b.article.pk),
    ("home_articles:manage_delete", "pk"): B(lambda w: w.b.article.pk),
    ("home_articles:cms_reset_password", "pk"): B(lambda w: w.b.editor.pk),
    ("home_articles:cms_account_active", "pk"): B(lambda w: w.b.editor.pk),
    # --- 团干管理 (cadres) -------------------------------------------------------------------------
    ("cadres:import_detail", "pk"): B(lambda w: w.b.cadre_import.pk),
    ("cadres:detail", "pk"): B(lambda w: [p.pk for p in w.b.cadre_posts]),
    ("cadres:edit", "pk"): B(lambda w: [p.pk for p in w.b.cadre_posts]),
    ("cadres:enable", "pk"): B(lambda w: w.b.branch_cadre_post.pk),
    ("cadres:disable", "pk"): B(lambda w: [p.pk for p in w.b.cadre_posts]),
    ("cadres:delete", "pk"): B(lambda w: [p.pk for p in w.b.cadre_posts]),
    ("cadres:operator_set", "pk"): B(lambda w: [w.b.cadre_post.pk, w.b.branch_cadre_post.pk]),
    ("cadres:operator_cancel", "pk"): B(lambda w: w.b.operator_post.pk),
    ("cadres:operator_reset_password", "pk"): B(lambda w: w.b.operator_post.pk),
    ("cadres:m_group", "pk"): B(lambda w: w.b.group.pk),
    # --- 团费管理 (dues) ----------------------------------------------------------------------------
    ("dues:member_bills", "pk"): B(lambda w: [w.b.member.pk, w.b.deletion_member.pk]),
    ("dues:retention_edit", "pk"): B(lambda w: [w.b.city.pk, w.b.district.pk]),
    ("dues:tier_edit", "pk"): const(lambda w: w.tier.pk),  # province-wide data, edited by the province only
    ("dues:order", "pk"): B(lambda w: w.b.dues_order.pk),
    ("dues:order_cancel", "pk"): B(lambda w: w.b.dues_order.pk),
    # --- 数据统计 (statistics) -----------------------------------------------------------------------
    ("statistics:export_job", "pk"): B(lambda w: w.b.stat_export.pk),
    ("statistics:export_file", "pk"): B(lambda w: w.b.stat_export.pk),
    # --- 系统管理 (portal) -------------------------------------------------------------------------
    ("portal:audit_detail", "pk"): B(lambda w: [e.pk for e in w.b.audit_entries]),
    # --- 站内消息 (messaging) ----------------------------------------------------------------------
    ("messaging:manage_open", "pk"): B(lambda w: [m.pk for m in w.b.messages]),
    ("messaging:member_open", "pk"): B(lambda w: [m.pk for m in w.b.messages]),
    ("messaging:cadre_open", "pk"): B(lambda w: [m.pk for m in w.b.messages]),
    # --- 团员管理 (members) ------------------------------------------------------------------------
    ("members:request_detail", "pk"): B(lambda w: [r.pk for r in w.b.requests]),
    ("members:attachment", "pk"): B(lambda w: w.b.status_request.pk),
    ("members:attachment", "attachment_pk"): B(lambda w: w.b.attachment.pk),
    ("members:detail", "pk"): B(lambda w: [m.pk for m in w.b.members]),
    ("members:review", "pk"): B(lambda w: [w.b.pending_member.pk, w.b.member.pk]),
    ("members:verify_offline", "pk"): B(lambda w: [w.b.pending_member.pk, w.b.member.pk]),
    ("members:status_apply", "pk"): B(lambda w: w.b.member.pk),
    ("members:deletion_apply", "pk"): B(lambda w: w.b.member.pk),
    ("members:restore", "pk"): B(lambda w: w.b.left_member.pk),
    ("members:cadre_member", "pk"): B(lambda w: [w.b.pending_member.pk, w.b.member.pk]),
    ("members:certificate_pdf", "pk"): B(lambda w: [m.pk for m in w.b.members]),
    ("members:register_branch", "code"): B(lambda w: w.b.branch.code),  # public: see UNSCOPED
    ("members:register_step", "step"): const([1, 2, 3, 4]),
    ("members:profile_edit", "group"): const(["reviewed", "basic", "extra"]),
    # --- 奖惩 (awards) ------------------------------------------------------------------------------
    ("awards:award_edit", "pk"): B(lambda w: w.b.award.pk),
    ("awards:award_delete", "pk"): B(lambda w: w.b.award.pk),
    ("awards:award_file", "pk"): B(lambda w: [w.b.award.pk, w.b.declaration.pk]),
    ("awards:award_file", "file_pk"): B(lambda w: [w.b.award_file.pk, w.b.declaration_file.pk]),
    ("awards:punishment_edit", "pk"): B(lambda w: w.b.punishment.pk),
    ("awards:punishment_delete", "pk"): B(lambda w: w.b.punishment.pk),
    ("awards:punishment_file", "pk"): B(lambda w: w.b.punishment.pk),
    ("awards:punishment_file", "file_pk"): B(lambda w: w.b.punishment_file.pk),
    ("awards:review_detail", "pk"): B(lambda w: w.b.declaration.pk),
    ("awards:cadre_review_detail", "pk"): B(lambda w: w.b.declaration.pk),
    ("awards:m_edit", "pk"): B(lambda w: w.b.declaration.pk),
    ("awards:m_delete", "pk"): B(lambda w: w.b.declaration.pk),
    ("awards:m_file", "pk"): B(lambda w: [w.b.award.pk, w.b.declaration.pk]),
    ("awards:m_file", "file_pk"): B(lambda w: [w.b.award_file.pk, w.b.declaration_file.pk]),
    ("awards:record_pdf", "pk"): B(lambda w: [w.b.member.pk, w.b.left_member.pk]),
    # --- 教育评议 and 年度注册 (evaluation) ------------------------------------------------------------
    ("evaluation:member_archive_pdf", "pk"): B(lambda w: [w.b.member.pk, w.b.deletion_member.pk]),
    ("evaluation:archive_job", "pk"): B(lambda w: w.b.archive_job.pk),
    ("evaluation:archive_job_download", "pk"): B(lambda w: w.b.archive_job.pk),
    ("evaluation:reassess", "pk"): B(lambda w: w.b.deferred_registration.pk),
    ("evaluation:member_archive", "pk"): B(lambda w: [w.b.member.pk, w.b.deletion_member.pk]),
    # --- 组织关系转接 (transfers) ----------------------------------------------------------------------
    ("transfers:detail", "pk"): B(lambda w: [t.pk for t in w.b.transfers]),
    ("transfers:withdraw", "pk"): B(lambda w: [w.b.transfer.pk, w.b.confirm_transfer.pk]),
    ("transfers:appeal_detail", "pk"): B(lambda w: w.b.appeal.pk),
    ("transfers:appeal_file", "pk"): B(lambda w: w.b.appeal.pk),
    ("transfers:appeal_file", "file_pk"): B(lambda w: w.b.appeal_file.pk),
    ("transfers:m_detail", "pk"): B(lambda w: [t.pk for t in w.b.transfers]),
    ("transfers:m_confirm", "pk"): B(lambda w: w.b.confirm_transfer.pk),
    ("transfers:m_withdraw", "pk"): B(lambda w: w.b.transfer.pk),
    ("transfers:m_appeal", "pk"): B(lambda w: w.b.returned_transfer.pk),
    ("transfers:cadre_detail", "pk"): B(lambda w: [t.pk for t in w.b.transfers]),
    ("transfers:letter_pdf", "pk"): B(lambda w: [t.pk for t in w.b.transfers]),
    ("transfers:m_letter_pdf", "pk"): B(lambda w: [t.pk for t in w.b.transfers]),
    # --- shared CMS content read on the three ends (pages) -----------------------------------------
    ("pages:*_announcement", "pk"): const(lambda w: w.content.announcement.pk),
    ("pages:*_help_article", "pk"): const(lambda w: [p.pk for p in w.content.help.values()]),
    # --- Wagtail: home articles and 本地 rights are per org --------------------------------------
    ("wagtailsnippets_home_articles_homearticle:*", "pk"): B(lambda w: w.b.article.pk),
    ("wagtailsnippets_home_articles_localpublishingright:*", "pk"): B(lambda w: w.b.right.pk),
    ("wagtailusers_users:*", "pk"): B(lambda w: [w.b.editor.pk, w.b.accounts[w.b.city.pk].pk]),
    ("wagtail_bulk_action", "app_label"): const("home_articles"),
    ("wagtail_bulk_action", "model_name"): const("homearticle"),
    ("wagtail_bulk_action", "action"): const("delete"),
    ("wagtailadmin_editing_sessions:ping", "app_label"): const("home_articles"),
    ("wagtailadmin_editing_sessions:ping", "model_name"): const("homearticle"),
    ("wagtailadmin_editing_sessions:ping", "object_id"): B(lambda w: str(w.b.article.pk)),
    ("wagtailadmin_editing_sessions:ping", "session_id"): const(1),
    # --- Wagtail: images are per org (one collection each, home_articles/images.py) -----------------
    # (above: an image id names 乙's cover image, so those URLs are scoped)
    # --- Wagtail: the province's shared content (pages, images, documents …) ------------------------
    ("wagtail*", "page_id"): const(lambda w: w.content.help["member"].pk),
    ("wagtail*", "parent_page_id"): const(lambda w: w.content.center.pk),
    ("wagtail*", "page_to_move_id"): const(lambda w: w.content.help["member"].pk),
    ("wagtail*", "destination_id"): const(lambda w: w.content.index.pk),
    ("wagtail*", "content_type_app_name"): const("pages"),
    ("wagtail*", "content_type_model_name"): const("helparticlepage"),
    ("wagtailadmin_pages:choose_parent", "app_label"): const("pages"),
    ("wagtailadmin_pages:choose_parent", "model_name"): const("helparticlepage"),
    ("wagtail*", "revision_id"): const(lambda w: w.content.help["member"].latest_revision_id),
    ("wagtail*", "action_name"): const("approve"),
    ("wagtail*", "task_state_id"): const(1),
    ("wagtail*", "task_id"): const(1),
    ("wagtail*", "workflow_state_id"): const(1),
    ("wagtailadmin_tag_model_autocomplete", "app_name"): const("wagtailimages"),
    ("wagtailadmin_tag_model_autocomplete", "model_name"): const("image"),
    ("wagtailadmin_collections:*", "pk"): const(1),
    ("wagtailadmin_collections:*", "collection_id"): const(1),
    ("wagtailadmin_workflows:*", "pk"): const(1),
    ("wagtailadmin_workflows:*", "page_pk"): const(lambda w: w.content.help["member"].pk),
    ("wagtailadmin_workflows:*", "workflow_pk"): const(1),
    ("wagtailadmin_workflows:add_task", "app_label"): const("wagtailcore"),
    ("wagtailadmin_workflows:add_task", "model_name"): const("groupapprovaltask"),
    ("wagtailadmin_api:*", "pk"): const(lambda w: w.content.help["member"].pk),
    ("wagtailadmin_editing_sessions:release", "session_id"): const(1),
    ("wagtailredirects:*", "redirect_id"): const(1),
    ("wagtaildocs:*", "document_id"): const(1),
    ("wagtaildocs:*", "doc_id"): const(1),
    ("wagtaildocs:*", "uploaded_file_id"): const(1),
    ("wagtaildocs_chooser:*", "pk"): const("1"),
    ("wagtailimages:*", "image_id"): B(lambda w: w.b.image.pk),
    ("wagtailimages:*", "uploaded_file_id"): const(1),
    ("wagtailimages:preview", "filter_spec"): const("fill-100x100"),
    ("wagtailimages_chooser:*", "pk"): B(lambda w: str(w.b.image.pk)),
    ("wagtailimages_chooser:*", "image_id"): B(lambda w: w.b.image.pk),
    ("wagtailsnippets_pages_servicelink:*", "pk"): const(1),
    ("wagtailsnippetchoosers_pages_servicelink:*", "pk"): const("1"),
    ("wagtailsites:*", "pk"): const(1),
    ("wagtailusers_groups:*", "pk"): const(1),
    ("wagtailadmin_password_reset_confirm", "uidb64"): const("MQ"),
    ("wagtailadmin_password_reset_confirm", "token"): const("set-password"),
    ("wagtaildocs_authenticate_with_password", "restriction_id"): const(1),
    ("wagtailcore_authenticate_with_password", "page_view_restriction_id"): const(1),
    ("wagtailcore_authenticate_with_password", "page_id"): const(lambda w: w.content.home.pk),
    # --- Django admin (superusers only) -----------------------------------------------------------
    ("admin:*", "object_id"): const("1"),
    ("django-admin/*", "object_id"): const("1"),
    ("admin:view_on_site", "content_type_id"): const("1"),
}

EXAMPLE_PATHS = {
    "admin:app_list": lambda w: "/django-admin/messaging/",
    "django-admin/(?P<url>.*)$": lambda w: "/django-admin/no-such-page/",
    "cms/pages/^(\\d+)/revisions/compare/(live|earliest|\\d+)\\.\\.\\.(live|latest|\\d+)/$":
        lambda w: f"/cms/pages/{w.content.help['member'].pk}/revisions/compare/earliest...live/",
    "cms/^.*/$": lambda w: "/cms/no-such-page/",
    "wagtaildocs_serve": lambda w: "/documents/1/x.pdf",
    "wagtail_serve": lambda w: ["/pages/", w.content.announcement.url],
}

_LOGIN = "the login flow: open to anyone, answers the same whoever asks"
_SHARED = "the province's shared CMS content (announcements, help, tips): not org data"
_WAGTAIL = ("Wagtail's own admin for the province's shared CMS content (pages, images, documents, reports): "
            "the editors' groups decide, not the org tree; only CMS logins may enter")
_IMAGES = ("the CMS login's own org's images and the province's shared ones (home_articles/images.py); "
           "only CMS logins may enter")
_WAGTAIL_ADMIN_ONLY = "Wagtail administration (sites, users' groups, workflows, collections): superusers only"
_PROVINCIAL = ("the provincial account's pages (本地 right, CMS logins): province-wide by design, so every "
               "actor of 甲 (none of them the provincial account) is refused")
_DJANGO_ADMIN = "the Django admin: superusers only, so every sweep actor is refused"

UNSCOPED = {
    "portal:login": Unscoped(_LOGIN),
    "portal:login_captcha": Unscoped(_LOGIN + " (the CAPTCHA image: a new challenge in the asker's own session)"),
    "portal:logout": Unscoped(_LOGIN),
    "portal:ping": Unscoped("the benchmarks' trivial view: plain 'ok', no data"),
    "portal:help": Unscoped("an old address that redirects to 帮助中心"),
    "mobile:member_login": Unscoped(_LOGIN),
    "mobile:member_callback": Unscoped(_LOGIN),
    "mobile:member_dev_login": Unscoped(_LOGIN + " (development only, 404 otherwise)"),
    "mobile:cadre_login": Unscoped(_LOGIN),
    "mobile:cadre_callback": Unscoped(_LOGIN),
    "mobile:cadre_join": Unscoped(_LOGIN + " (入驻 works from the pending WeChat identity in the session)"),
    "mobile:cadre_dev_login": Unscoped(_LOGIN + " (development only, 404 otherwise)"),
    "mobile:logout": Unscoped(_LOGIN),
    "members:register_branch": Unscoped("a branch's public 报到 QR link: anyone may open any branch's"),
    "members:branch_search": Unscoped("报到's public search for a branch to join, province-wide by design"),
    "cadres:m_directory": Unscoped("通讯录: every enabled cadre of the province, by design (reference §2.4)"),
    "cadres:m_directory_org": Unscoped("通讯录 browsed by the org tree: the same province-wide directory (reference §2.4)"),
    "pages:*_announcements": Unscoped(_SHARED),
    "pages:*_announcement": Unscoped(_SHARED),
    "pages:*_help": Unscoped(_SHARED),
    "pages:*_help_article": Unscoped(_SHARED),
    "pages:*_tips": Unscoped(_SHARED),
    "pages:*_search": Unscoped(_SHARED),
    "": Unscoped("the site root: a redirect to the service pages"),
    "wagtail_serve": Unscoped("Wagtail's public page serving (announcements, help): public content"),
    "wagtailcore_login": Unscoped(_LOGIN),
    "wagtailcore_authenticate_with_password": Unscoped("Wagtail's password-protected page form: public"),
    "wagtaildocs_serve": Unscoped("public CMS documents (Wagtail's collection privacy applies)"),
    "wagtaildocs_authenticate_with_password": Unscoped("Wagtail's password-protected document form: public"),
    "wagtailadmin_login": Unscoped(_LOGIN),
    "wagtailadmin_logout": Unscoped(_LOGIN),
    "wagtailadmin_password_reset*": Unscoped(_LOGIN),
    "wagtailadmin_javascript_catalog": Unscoped("Wagtail's translation catalogue: static text"),
    "wagtailadmin_sprite": Unscoped("Wagtail's icon sprite: static"),
    "wagtailadmin_home": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailadmin_account": Unscoped("the CMS login's own account settings", refuse=NOT_CMS),
    "wagtailadmin_dismissibles": Unscoped("the CMS login's own dismissed hints", refuse=NOT_CMS),
    "wagtailadmin_error_test": Unscoped("Wagtail's deliberate error page: a 404 for everyone", refuse=ALL_ACTORS),
    "cms/test404/": Unscoped("Wagtail's 404 test page", refuse=NOT_CMS),
    "cms/^.*/$": Unscoped("Wagtail's catch-all 404", refuse=NOT_CMS),
    "wagtailadmin_block_preview": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailadmin_choose_*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailadmin_explore*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailadmin_tag_*autocomplete": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailadmin_api:*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailadmin_pages:*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "cms/pages/^(\\d+)/revisions/compare/(live|earliest|\\d+)\\.\\.\\.(live|latest|\\d+)/$":
        Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailadmin_reports:*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailadmin_editing_sessions:release": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtaildocs:*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtaildocs_chooser:*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    # Image URLs without an image id: the CMS login's own org's (and the shared) images; those naming an
    # image are scoped by the fillers above, and chosen_multiple (ids in the query) is an own-data page
    # with a probe naming 乙's image.
    "wagtailimages:index": Unscoped(_IMAGES, refuse=NOT_CMS),
    "wagtailimages:index_results": Unscoped(_IMAGES, refuse=NOT_CMS),
    "wagtailimages:add": Unscoped(_IMAGES, refuse=NOT_CMS),
    "wagtailimages:add_multiple": Unscoped(_IMAGES, refuse=NOT_CMS),
    "wagtailimages:*_uploaded_image": Unscoped(_IMAGES + " (a pending upload of the login's own)", refuse=NOT_CMS),
    "wagtailimages:delete_upload_multiple": Unscoped(_IMAGES + " (a pending upload of the login's own)",
                                                     refuse=NOT_CMS),
    "wagtailimages_chooser:choose": Unscoped(_IMAGES, refuse=NOT_CMS),
    "wagtailimages_chooser:choose_results": Unscoped(_IMAGES, refuse=NOT_CMS),
    "wagtailimages_chooser:create": Unscoped(_IMAGES, refuse=NOT_CMS),
    "wagtailembeds:*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailsnippets:index": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailsnippets_pages_servicelink:*": Unscoped("其他服务 links on the member home: province-wide",
                                                    refuse=NOT_CMS),
    "wagtailsnippetchoosers_pages_servicelink:*": Unscoped("其他服务 links: province-wide", refuse=NOT_CMS),
    "wagtailforms:*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailredirects:*": Unscoped(_WAGTAIL, refuse=NOT_CMS),
    "wagtailadmin_workflows:task_cho*": Unscoped(_WAGTAIL + " (the task chooser of the page editor)",
                                                 refuse=NOT_CMS),
    "wagtailadmin_collections:*": Unscoped(_WAGTAIL_ADMIN_ONLY, refuse=ALL_ACTORS),
    "wagtailadmin_workflows:*": Unscoped(_WAGTAIL_ADMIN_ONLY, refuse=ALL_ACTORS),
    "wagtailsites:*": Unscoped(_WAGTAIL_ADMIN_ONLY, refuse=ALL_ACTORS),
    "wagtailusers_groups:*": Unscoped(_WAGTAIL_ADMIN_ONLY, refuse=ALL_ACTORS),
    "home_articles:rights": Unscoped(_PROVINCIAL, refuse=ALL_ACTORS),
    "home_articles:cms_accounts": Unscoped(_PROVINCIAL, refuse=ALL_ACTORS),
    "home_articles:cms_account_create": Unscoped(_PROVINCIAL, refuse=ALL_ACTORS),
    "home_articles:cms_credentials": Unscoped(_PROVINCIAL, refuse=ALL_ACTORS),
    "dues:notify": Unscoped("WeChat Pay's payment notification: no login; refused unless signed with the platform key"),
    "dues:standard": Unscoped("团费标准说明: the province-wide tiers, public text"),
    "admin:login": Unscoped(_LOGIN),
    "admin:logout": Unscoped(_LOGIN),
    "admin:jsi18n": Unscoped("the Django admin's translation catalogue: static text"),
    "admin:*": Unscoped(_DJANGO_ADMIN, refuse=ALL_ACTORS),
    "django-admin/*": Unscoped(_DJANGO_ADMIN, refuse=ALL_ACTORS),
}

# Where, for these actors, a refusal must be a 404 or 403 page (or 405), not a redirect: the CMS login of 甲 on 乙's
# home article (issue 10 item 19), whatever Wagtail's generic views would do.
STRICT_REFUSALS = {
    "wagtailsnippets_home_articles_homearticle:*": (CMS,),
    "wagtail_bulk_action": (CMS,),
    "wagtailadmin_editing_sessions:ping": (CMS,),
    "wagtailimages:*": (CMS,),
    "wagtailimages_chooser:*": (CMS,),
}

# Wagtail views that crash (500) on the sweep's request: not the project's code, so tolerated, by URL and
# method, with what happens. Empty: the ones there were are unreachable (home_articles/middleware.py).
VENDOR_CRASHES = {}

POST_BODIES = {
    "members:review": lambda w: {"decision": "approve"},
    "members:cadre_member": lambda w: {"decision": "approve"},
    "members:request_detail": lambda w: {"decision": "approve"},
    "members:verify_offline": lambda w: {"reason": "已核对团员本人身份证原件"},
    "members:restore": lambda w: {"branch": w.a.branch.pk},
    "members:deletion_apply": lambda w: {"reason": 1, "description": "该团员报错了团支部，被误审核通过，申请删除。"},
    "dues:member_bills": lambda w: {"bills": [w.b.other_bill.pk], "note": "现金收取"},
    "dues:retention_edit": lambda w: {"retains_dues": "on", "retention_ratio": 10, "sub_account_valid": "on"},
    "dues:tier_edit": lambda w: {"amount": "4.00"},
    "cadres:operator_set": lambda w: {"label": "组织委员"},
    "awards:review_detail": lambda w: {"decision": "approve"},
    "awards:cadre_review_detail": lambda w: {"decision": "approve"},
    "evaluation:reassess": lambda w: {"grade": 2},
    "transfers:detail": lambda w: {"decision": "approve", "stage": 1},
    "transfers:cadre_detail": lambda w: {"decision": "approve", "stage": 1},
    "transfers:withdraw": lambda w: {"reason": "探针撤回"},
    "transfers:m_withdraw": lambda w: {"reason": "探针撤回"},
    "transfers:appeal_detail": lambda w: {"decision": "uphold"},
    "transfers:m_appeal": lambda w: {"reason": "探针申诉理由。" * 20},
    "cadres:m_group": lambda w: {"text": "周五前报送材料"},
}

PROBES = {
    "orgtree:tree_children": [Probe("乙's org as the tree node", query=lambda w: {"node": w.b.city.pk})],
    "orgtree:tree_search": [Probe("search 乙's names", query=lambda w: {"q": w.b.city.short_name}, scoped=False)],
    "orgtree:move": [
        Probe("乙's org as the source parent", scoped=False, query=lambda w: {"source_parent": w.b.city.code}),
        Probe("move 乙's org under 甲", scoped=False, methods=("POST",), data=lambda w: {
            "source_parent": w.b.city.code, "orgs": [w.b.district.pk], "target": w.a.city.code, "confirm": "on"}),
        Probe("move 甲's org under 乙", scoped=False, methods=("POST",), data=lambda w: {
            "source_parent": w.a.city.code, "orgs": [w.a.district.pk], "target": w.b.city.code, "confirm": "on"}),
    ],
    "cadres:create": [Probe("转为团干 from 乙's member", query=lambda w: {"member": w.b.member.pk}, methods=("GET",))],
    "cadres:m_identity": [Probe("choose 乙's post as working identity", scoped=False, methods=("POST",),
                                data=lambda w: {"post": w.b.cadre_post.pk})],
    "cadres:m_cadres": [Probe("团干查询 for 乙's names", scoped=False, query=lambda w: {"q": w.b.prefix},
                              methods=("GET",))],
    "members:manage_list": [Probe("filter by 乙's names", scoped=False, query=lambda w: {"name": w.b.prefix},
                                  methods=("GET",))],
    "members:approve_batch": [Probe("batch-approve 乙's pending registration", scoped=False, methods=("POST",),
                                    data=lambda w: {"ids": [w.b.pending_member.pk]})],
    "members:restore": [Probe("restore 甲's left member into 乙's branch", scoped=False, methods=("POST",),
                              params={"pk": const(lambda w: w.a.left_member.pk)},
                              data=lambda w: {"branch": w.b.branch.pk})],
    "transfers:batch_review": [Probe("batch-approve 乙's transfers", scoped=False, methods=("POST",),
                                     data=lambda w: {"ids": [t.pk for t in w.b.transfers], "decision": "approve"})],
    "transfers:start": [Probe("start a transfer for 乙's member", scoped=False, methods=("POST",), data=lambda w: {
        "members": [w.b.member.pk], "target": w.a.empty_branch.code, "destination": "某公司", "reason": 1})],
    "transfers:cadre_start": [Probe("start a transfer for 乙's member on the cadre end", scoped=False,
                                    methods=("POST",), data=lambda w: {
                                        "members": [w.b.member.pk], "target": w.a.empty_branch.code,
                                        "destination": "某公司", "reason": 1})],
    "transfers:list": [Probe("filter by 乙's names", scoped=False, query=lambda w: {"name": w.b.prefix},
                             methods=("GET",))],
    "transfers:export": [Probe("export 乙's names", scoped=False, query=lambda w: {"name": w.b.prefix},
                               methods=("GET",))],
    "dues:query": [Probe("乙's org as the one to show", query=lambda w: {"org": w.b.city.pk}, methods=("GET",))],
    "dues:members": [Probe("乙's branch's members", query=lambda w: {"org": w.b.branch.pk}, methods=("GET",))],
    "dues:export": [Probe("乙's branch's members as .xlsx", query=lambda w: {"org": w.b.branch.pk},
                          methods=("GET",))],
    "dues:cadre_query": [Probe("乙's city on the cadre end", query=lambda w: {"org": w.b.city.pk}, methods=("GET",))],
    "dues:help": [Probe("帮TA交费 for 乙's member", scoped=False, methods=("POST",),
                        data=lambda w: {"members": [w.b.deletion_member.pk]})],
    "dues:pay": [Probe("pay 乙's member's bill as one's own", scoped=False, methods=("POST",),
                       data=lambda w: {"bills": [w.b.other_bill.pk]})],
    "statistics:overview": [Probe("乙's city's table", query=lambda w: {"org": w.b.city.pk}, methods=("GET",)),
                            Probe("乙's city's table as .xlsx", query=lambda w: {"org": w.b.city.pk, "download": "xlsx"},
                                  methods=("GET",))],
    "statistics:transfers": [Probe("乙's city's transfer figures as .xlsx", query=lambda w: {"org": w.b.city.pk, "download": "xlsx"},
                                   methods=("GET",)),
                             Probe("乙's city's transfer figures", query=lambda w: {"org": w.b.city.pk},
                                   methods=("GET",))],
    "statistics:categories": [Probe("乙's city's 分类统计", query=lambda w: {"org": w.b.city.pk}, methods=("GET",)),
                              Probe("乙's city's 分类统计 as .xlsx", query=lambda w: {"org": w.b.city.pk, "download": "xlsx"},
                                    methods=("GET",))],
    "statistics:charts": [Probe("乙's city's chart data", query=lambda w: {"org": w.b.city.pk}, methods=("GET",))],
    "statistics:empty": [Probe(f"乙's empty orgs{x}", query=lambda w, x=x: {"org": w.b.city.pk, "kind": "branch", **x},
                               methods=("GET",)) for x in ({}, {"download": "xlsx"})],
    "statistics:orgs": [Probe(f"乙's orgs{x}", query=lambda w, x=x: {"org": w.b.city.pk, "industry": 16, **x},
                              methods=("GET",)) for x in ({}, {"download": "xlsx"})],
    "statistics:members": [Probe(f"乙's members{x}", query=lambda w, x=x: {"org": w.b.branch.pk, "kind": "registered", **x},
                                 methods=("GET",)) for x in ({}, {"download": "xlsx"})],
    "statistics:transfer_list": [Probe(f"乙's transfers{x}", query=lambda w, x=x: {"org": w.b.city.pk, "kind": "out_pending", **x},
                                       methods=("GET",)) for x in ({}, {"download": "xlsx"})],
    "statistics:cadres": [Probe(f"乙's cadres{x}", query=lambda w, x=x: {"org": w.b.city.pk, "kind": "all", **x},
                                methods=("GET",)) for x in ({}, {"download": "xlsx"})],
    "messaging:manage_mark_read": [Probe("mark 乙's messages read", scoped=False, methods=("POST",),
                                         data=lambda w: {"ids": [m.pk for m in w.b.messages]})],
    "messaging:member_mark_read": [Probe("mark 乙's messages read", scoped=False, methods=("POST",),
                                         data=lambda w: {"ids": [m.pk for m in w.b.messages]})],
    "messaging:cadre_mark_read": [Probe("mark 乙's messages read", scoped=False, methods=("POST",),
                                        data=lambda w: {"ids": [m.pk for m in w.b.messages]})],
    "home_articles:rights": [Probe("grant 乙's district the 本地 right", methods=("POST",), data=lambda w: {
        "org_code": w.b.district.code, "action": "grant"})],
    "home_articles:cms_account_create": [Probe("a CMS login bound to 乙's city", methods=("POST",), data=lambda w: {
        "org_code": w.b.city.code, "name": "探针", "username": "xc_probe", "roles": ["首页文章编辑"]})],
    "awards:pick": [Probe("add 乙's member to the list", scoped=False, methods=("POST",),
                          data=lambda w: {"action": "add", "ids": [w.b.member.pk]}),
                    Probe("search 乙's branch", scoped=False, methods=("GET",),
                          query=lambda w: {"branch": w.b.branch.code}),
                    Probe("search 乙's branch by name", scoped=False, methods=("GET",),
                          query=lambda w: {"branch": w.b.prefix})],
    "awards:review_list": [Probe("approve 乙's declaration", scoped=False, methods=("POST",),
                                 data=lambda w: {"ids": [w.b.declaration.pk], "decision": "approve"})],
    "evaluation:grades": [Probe("grade 乙's member", scoped=False, methods=("POST",),
                                data=lambda w: {"year": w.b.year, f"grade_{w.b.member.pk}": 2})],
    "evaluation:progress": [Probe("乙's org", query=lambda w: {"org": w.b.city.pk, "year": w.b.year},
                                  methods=("GET",))],
    "evaluation:remind": [Probe("remind 乙's members", methods=("POST",),
                                data=lambda w: {"org": w.b.city.pk, "year": w.b.year})],
    "evaluation:branch_archive": [Probe("乙's branch", query=lambda w: {"branch": w.b.branch.pk}, methods=("GET",))],
    "evaluation:archive_jobs": [
        Probe("乙's branch in the form", query=lambda w: {"branch": w.b.branch.pk}, methods=("GET",)),
        Probe("zip 乙's branch's archives", methods=("POST",), data=lambda w: {"branch": w.b.branch.pk, "year": w.b.year}),
    ],
    "statistics_report:monthly": [Probe("乙's org's monthly report", query=lambda w: {"org": w.b.city.pk},
                                        methods=("GET",))],
    "wagtailimages_chooser:chosen_multiple": [
        Probe("乙's image among the chosen", query=lambda w: {"id": [w.a.image.pk, w.b.image.pk]}, methods=("GET",))],
    "wagtail_bulk_action": [Probe("bulk-delete 乙's home article", query=lambda w: {"id": w.b.article.pk})],
    "wagtailsnippets_home_articles_homearticle:list_results": [
        Probe("search 乙's article", scoped=False, query=lambda w: {"q": w.b.article.title}, methods=("GET",))],
}

# Tables whose rows change as bookkeeping of any request, with the reason; every other table of the
# database must be unchanged by a refused request. (Each request is rolled back afterwards anyway.)
EXCLUDED_TABLES = {
    "django_session": "sessions: a request may save its session (flash messages, CSRF, login state)",
    "axes_accessattempt": "django-axes counts login attempts (the sweep POSTs empty login forms)",
    "axes_accesslog": "django-axes logs logins",
    "axes_accessfailurelog": "django-axes logs failed logins",
    "django_q_ormq": "django-q2's queue: jobs are bookkeeping; the writes they stand for are in project tables",
    "django_q_task": "django-q2's task results (tasks run inline in tests)",
    "django_q_schedule": "django-q2's schedules",
}
