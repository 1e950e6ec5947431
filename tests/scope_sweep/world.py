"""The sweep's fixture province: two sibling subtrees 甲 (A, whose people make the requests) and 乙 (B, whose
objects fill the URLs). Everything is built through the real services, as a user would make it.

Each subtree has an org of every type::

    团广东省委 ─┬─ 甲市 (领导机关) ─┬─ 甲区 (领导机关) ── 甲公司 (基层团委) ─┬─ 甲总支 (团总支) ── 甲一支部 (团支部)
               │                 └─ 甲工委 (团工委)                       └─ 甲二支部 (团支部, empty)
               └─ 乙市 … the same shape, named 乙…

and in each: an ordinary cadre of the city joined to WeChat Work, an operator of the branch (also joined),
an approved member with a WeChat official-account identity, a pending registration, a pending 团籍 request with
an attachment, a pending deletion request, a member who has left (恢复团籍 possible), site messages to the org,
the member and the cadre, a broadcast, a cadre import, a WeChat Work group, a home article and a 本地 right.

Adding a workflow (transfers, dues, awards, statistics): build one object of it in B here (``side.x = …``
inside :func:`_side`), then add its fillers in ``registry.py``. Give it a 乙-name and list that in
``side.markers`` when its name shows on pages, so lists that leak it are caught.
"""

from datetime import date
from types import SimpleNamespace

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from orgtree.rules import OrgType
from portal.models import AuditLog, User

from ..factories import (
    actor_of,
    make_cadre,
    make_child,
    make_cms_editor,
    make_member,
    make_operator,
    make_root,
    png_upload,
)

LONG_REASON = "经团支部大会讨论通过，该团员连续六个月以上未参加团的组织生活，也未交纳团费，特此申请。"


def _side(province, p, wechat_settings):
    """One subtree; ``p`` is its name prefix (甲 or 乙)."""
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from home_articles.images import org_collection
    from home_articles.models import ArticleKind, HomeArticle, LocalPublishingRight
    from home_articles.permissions import editor_actor
    from home_articles.services import article_create, publishing_right_set
    from services.cadres import groups, imports
    from services.cadres.models import CadrePerson
    from services.cadres.services import cadre_choose_identity
    from services.members import status
    from services.members.choices import RequestKind
    from services.messaging.services import broadcast_send, notify

    s = SimpleNamespace(prefix=p)
    s.city = make_child(province, OrgType.LEADING, f"{p}市")
    s.district = make_child(s.city, OrgType.LEADING, f"{p}区")
    s.working = make_child(s.city, OrgType.WORKING, f"{p}工委")
    s.committee = make_child(s.district, OrgType.COMMITTEE, f"{p}公司")
    s.general = make_child(s.committee, OrgType.GENERAL_BRANCH, f"{p}总支")
    s.branch = make_child(s.general, OrgType.BRANCH, f"{p}一支部")
    s.empty_branch = make_child(s.committee, OrgType.BRANCH, f"{p}二支部")
    s.orgs = [s.city, s.district, s.working, s.committee, s.general, s.branch, s.empty_branch]
    s.accounts = {o.pk: User.objects.get(organization=o, kind=User.Kind.ORG) for o in s.orgs}
    User.objects.filter(pk__in=[u.pk for u in s.accounts.values()]).update(must_change_password=False)

    # Cadres: an ordinary one of the city (WeChat Work, working as that post), an operator of the branch
    # (service pages by phone + password, and WeChat Work working as the operator post).
    s.cadre_post = make_cadre(s.city, name=f"{p}团干", join=True)
    s.cadre_user = s.cadre_post.person.user
    s.operator_user = make_operator(s.branch, name=f"{p}运营", work_userid=f"{p}-operator-work")
    s.operator_post = s.operator_user.operator_post
    cadre_choose_identity(person=s.operator_post.person, post_id=s.operator_post.pk)
    s.operator_work_user = CadrePerson.objects.get(pk=s.operator_post.person_id).user
    s.branch_cadre_post = make_cadre(s.branch, name=f"{p}支书", title="书记")  # entered, not joined
    s.cadre_posts = [s.cadre_post, s.operator_post, s.branch_cadre_post]

    # Members of the branch, one per state a URL can find them in.
    s.member = make_member(s.branch, name=f"{p}团员")
    s.member_user = s.member.user
    s.pending_member = make_member(s.branch, approved=False, name=f"{p}待审")
    s.request_member = make_member(s.branch, name=f"{p}申请")
    s.status_request = status.status_apply(actor=actor_of(s.branch), member=s.request_member,
                                            kind=RequestKind.LAPSED, reasons=[1], description=LONG_REASON,
                                            files=[png_upload()])
    s.attachment = s.status_request.attachments.get()
    s.deletion_member = make_member(s.branch, name=f"{p}删除")
    s.deletion_request = status.deletion_apply(actor=actor_of(s.branch), member=s.deletion_member, reason=1,
                                                description="该团员报错了团支部，被误审核通过，申请删除其报到资料。")
    s.left_member = make_member(s.branch, name=f"{p}离团")
    left = status.status_apply(actor=actor_of(s.branch), member=s.left_member, kind=RequestKind.RESIGNED,
                                description=LONG_REASON, files=[png_upload()])
    status.request_approve(actor=actor_of(s.general), request=left)
    s.left_member.refresh_from_db()
    s.members = [s.member, s.pending_member, s.request_member, s.deletion_member, s.left_member]
    s.requests = [s.status_request, s.deletion_request]

    # Site messages: to the org, to the member, to the cadre; a broadcast of the city.
    s.org_message = notify(recipient=s.branch, title=f"{p}支部消息", body="给团支部的消息")
    s.member_message = notify(recipient=s.member_user, title=f"{p}团员消息", body="给团员本人的消息")
    s.cadre_message = notify(recipient=s.cadre_user, title=f"{p}团干消息", body="给团干本人的消息")
    s.messages = [s.org_message, s.member_message, s.cadre_message]
    s.broadcast = broadcast_send(actor=actor_of(s.city), title=f"{p}群发通知", body="请各团支部按时完成。",
                                 to_members=True)

    s.cadre_import = imports.import_create(actor=actor_of(s.city), upload=SimpleUploadedFile(
        "团干.xlsx", imports.template_workbook(), content_type="application/octet-stream"))

    with override_settings(WECHAT=wechat_settings):
        cache.clear()
        s.group = groups.group_create(owner=CadrePerson.objects.get(pk=s.cadre_post.person_id), name=f"{p}工作群",
                                      member_ids=[s.operator_post.person_id])
    cache.clear()

    s.editor = make_cms_editor(s.city, username=f"xc-{s.city.code}", name=f"{p}宣传")
    s.article = article_create(actor=editor_actor(s.editor), article=HomeArticle(
        title=f"{p}市本地文章", link_url="https://www.12355.net/a", kind=ArticleKind.LOCAL))
    s.image = get_image_model().objects.create(title=f"{p}市封面", file=get_test_image_file(),
                                               collection=org_collection(s.city), uploaded_by_user=s.editor)
    s.right = publishing_right_set(actor=actor_of(province), right=LocalPublishingRight(
        organization=s.district, allowed=True, note=f"{p}区本地权限"))

    # 奖惩: an award the general branch entered, a pending 团外 declaration, a punishment; the branch's
    # 教育评议 submitted (one member 不合格: 暂缓注册).
    from services.awards import punishments as punishment_flow
    from services.awards import services as award_flow
    from services.evaluation import selectors as evaluation_selectors
    from services.evaluation import services as evaluation_flow

    award = {"name": f"{p}奖励", "has_level": False, "level": "", "awarded_on": date(2024, 5, 4),
             "awarding_org_name": f"{p}区团委"}
    s.award = award_flow.awards_enter(actor=actor_of(s.general), member_ids=[s.member.pk], data=award,
                                      files=[png_upload()])[0]
    s.award_file = s.award.attachments.get()
    s.declaration = award_flow.award_declare(member=s.member, kind=2, files=[png_upload()],
                                             data={**award, "name": f"{p}申报"})
    s.declaration_file = s.declaration.attachments.get()
    s.punishment = punishment_flow.punishments_enter(
        actor=actor_of(s.branch), member_ids=[s.member.pk], kind=1, punished_on=date(2024, 6, 1),
        relieve_on=date(2099, 6, 1), files=[png_upload()])[0]
    s.punishment_file = s.punishment.attachments.get()
    s.year = evaluation_selectors.default_year()
    evaluation_flow.grades_save(actor=actor_of(s.branch), year=s.year,
                                grades={s.member.pk: 2, s.deletion_member.pk: 4})
    evaluation_flow.evaluation_submit(actor=actor_of(s.branch), year=s.year)
    s.deferred_registration = s.deletion_member.annual_registrations.get()
    # 成长档案打包: a finished zip job the general branch asked for (its row is enough: scope comes first)
    from services.evaluation.models import ArchiveJob

    s.archive_job = ArchiveJob.objects.create(org=s.general, branch=s.branch, year=s.year,
                                              status=ArchiveJob.Status.DONE)
    # 组织关系转接 within the subtree (一支部 → 二支部): one at ①, one a branch started awaiting the member, one
    # returned at ③ with an appeal (evidence attached) before the common superior 公司.
    from services.transfers import appeal as transfer_appeal
    from services.transfers import review as transfer_review
    from services.transfers import start as transfer_start

    def _apply(member):
        return transfer_start.transfer_apply(member=member, data={
            "transfer_type": 1, "target": s.empty_branch.code, "destination": "某公司", "reason": 1})

    s.transfer = _apply(make_member(s.branch, name=f"{p}转接"))
    s.confirm_transfer = transfer_start.transfer_start_batch(
        actor=actor_of(s.branch), member_ids=[make_member(s.branch, name=f"{p}确认").pk], data={
            "target": s.empty_branch.code, "destination": "某公司", "reason": 2})[0]
    returned = _apply(make_member(s.branch, name=f"{p}申诉"))
    for org, stage in ((s.branch, 1), (s.general, 2)):
        returned = transfer_review.transfer_approve(actor=actor_of(org), transfer=returned, stage=stage)
    s.returned_transfer = transfer_review.transfer_return(actor=actor_of(s.empty_branch), transfer=returned, stage=3,
                                                          reason="不认识该团员")
    s.appeal = transfer_appeal.appeal_submit(member=s.returned_transfer.member, transfer=s.returned_transfer,
                                             reason="转入团支部退回的理由与事实不符。" * 10, files=[png_upload()])
    s.appeal_file = s.appeal.attachments.get()
    s.transfers = [s.transfer, s.confirm_transfer, s.returned_transfer]

    s.audit_entries = list(AuditLog.objects.filter(organization__in=s.orgs).order_by("id")[:3])
    s.markers = [o.short_name for o in s.orgs] + [
        f"{p}团干", f"{p}运营", f"{p}支书", f"{p}团员", f"{p}待审", f"{p}申请", f"{p}删除", f"{p}离团",
        f"{p}支部消息", f"{p}团员消息", f"{p}团干消息", f"{p}群发通知", f"{p}工作群", f"{p}市本地文章", f"{p}市封面", f"{p}宣传",
        f"{p}区本地权限", f"{p}奖励", f"{p}申报", f"{p}转接", f"{p}确认", f"{p}申诉",
    ]
    return s


def _content():
    """The province's shared CMS content (not org-scoped): an announcement, help for each audience, tips."""
    from pages.models import (
        AnnouncementIndexPage,
        AnnouncementPage,
        Audience,
        HelpArticlePage,
        HelpCenterPage,
        TipsPage,
    )

    def publish(parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    index, center = AnnouncementIndexPage.objects.get(), HelpCenterPage.objects.get()
    c = SimpleNamespace(index=index, center=center)
    c.announcement = publish(index, AnnouncementPage(title="全省公告", slug="sweep-notice", date=date(2024, 5, 1),
                                                     source="团省委", body="<p>全省公告正文</p>"))
    c.help = {a: publish(center, HelpArticlePage(title=f"帮助{a}", slug=f"sweep-help-{a}", audience=a,
                                                 summary="摘要", body="<p>正文</p>"))
              for a in Audience.values}
    c.tips = TipsPage.objects.first() or publish(center, TipsPage(title="团务小常识", slug="sweep-tips",
                                                                  body="<p>小常识</p>"))
    c.home = index.get_parent()
    return c


def build(wechat_settings):
    """The whole province. ``wechat_settings``: the fake WeChat server's, for the WeChat Work group."""
    w = SimpleNamespace()
    w.province = make_root()
    w.a = _side(w.province, "甲", wechat_settings)
    w.b = _side(w.province, "乙", wechat_settings)
    w.content = _content()
    _dues(w)
    _statistics(w)
    return w


def _dues(w):
    """团费: January's bills for everyone (one monthly run for the province), and on each side a pending
    order of the member's (a row, as order_create leaves it; no WeChat Pay call)."""
    from datetime import date

    from services.dues import billing, stats
    from services.dues.models import DuesBill, DuesTier, OrderLine, Payment

    billing.bills_make(month=date(2026, 1, 1))
    stats.stats_build(month=date(2026, 1, 1))
    w.tier = DuesTier.objects.order_by("income").first()
    for s in (w.a, w.b):
        s.bill = DuesBill.objects.get(member=s.member)
        s.other_bill = DuesBill.objects.get(member=s.deletion_member)
        s.dues_order = Payment.objects.create(out_trade_no=f"TFSWEEP{s.branch.code}", kind=Payment.Kind.DUES,
                                              payer=s.member, branch=s.branch, total=s.bill.amount,
                                              prepay_id="wx-sweep")
        OrderLine.objects.create(payment=s.dues_order, bill=s.bill, amount=s.bill.amount)
        DuesBill.objects.filter(pk=s.bill.pk).update(order=s.dues_order)


def _statistics(w):
    """数据统计: this month's figures of each side's city (an empty committee and branch to drill into), the
    classification counts, and a finished background export of each side's org."""
    from django.utils import timezone

    from services.statistics.definitions import recent_months
    from services.statistics.models import CategoryStat, Dimension, OrgStat, StatExport

    month = recent_months(timezone.localdate())[0]
    for s in (w.a, w.b):
        OrgStat.objects.create(org=s.city, month=month, computed_at=timezone.now(), orgs=6, branches=2,
                               empty_branches=1, members=1, members_registered=2, cadres=1)
        OrgStat.objects.create(org=s.empty_branch, month=month, computed_at=timezone.now(), orgs=1, branches=1,
                               empty_branches=1, cadreless_branches=1)
        CategoryStat.objects.create(org=s.city, month=month, dimension=Dimension.ORGS, key=1605, n=2)
        s.stat_export = StatExport.objects.create(org=s.city, kind="members", key="sweep", status="done",
                                                  params={"kind": "members", "org": s.city.pk},
                                                  title=f"团员名单_{s.prefix}市")
