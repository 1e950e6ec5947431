"""首页文章 精华/本地, scoped by org permission (DESIGN §5 "Home articles").

A home article is a snippet, not a page. It is a link card (title, link, cover) that belongs to
one publishing org, not a document with a place in the site tree: Wagtail page permissions are
granted per subtree of *pages* to groups, so scoping pages by *org* would need one page subtree
and one group per org — 100,000 of them. A snippet keeps one row per article with an FK to its
org, one Wagtail group per role, and the org scope lives in one permission policy
(home_articles/permissions.py) that the snippet views and our own queries share. The feed query
is then a single indexed query on this table.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.images import get_image_model_string

from portal.constraints import FieldCheckConstraint


class ArticleKind(models.IntegerChoices):
    # Values as in the reference system (§3.21).
    FEATURED = 1, "精华"
    LOCAL = 2, "本地"


class HomeArticle(models.Model):
    title = models.CharField("标题", max_length=100)
    link_url = models.URLField("外部链接", max_length=500, blank=True,
                               help_text="微信文章或活动页面的网址；与“站内页面”二选一")
    link_page = models.ForeignKey("wagtailcore.Page", verbose_name="站内页面", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    cover = models.ForeignKey(get_image_model_string(), verbose_name="封面图片", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text="可选，jpg/png/gif，建议尺寸 370×165")
    kind = models.PositiveSmallIntegerField("类型", choices=ArticleKind.choices, default=ArticleKind.LOCAL)
    publisher = models.ForeignKey("orgtree.Organization", verbose_name="发布组织", on_delete=models.CASCADE,
                                  related_name="home_articles", editable=False)
    published_at = models.DateTimeField("发布时间", default=timezone.now,
                                        help_text="晚于当前时间则到时才在团员首页显示")
    pinned = models.BooleanField("置顶", default=False)
    live = models.BooleanField("已发布", default=True, help_text="取消勾选即撤下，团员首页立即不再显示")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # Out of Wagtail's reference index: a page's or an image's "usage" listing is not scoped by org
    # and would show every org's article titles to any editor.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = "首页文章"
        verbose_name_plural = "首页文章"
        constraints = [
            FieldCheckConstraint(name="home_article_kind_valid", condition=Q(kind__in=[1, 2]), field="kind",
                                 violation_error_code="invalid_choice",
                                 violation_error_message="请选择文章类别（精华或本地）"),
        ]
        indexes = [
            # The member feed: live articles of a handful of publishers, pinned first, newest first.
            models.Index(fields=["publisher", "-pinned", "-published_at", "-id"], condition=Q(live=True),
                         name="home_article_feed"),
            # The CMS listing of one org's articles.
            models.Index(fields=["publisher", "-published_at"], name="home_article_by_org"),
            # When the next scheduled article falls due (the feed cache's expiry).
            models.Index(fields=["published_at"], condition=Q(live=True), name="home_article_due"),
        ]

    def __str__(self):
        return self.title

    def target_url(self):
        if self.link_url:
            return self.link_url
        if self.link_page_id:
            return self.link_page.url or ""
        return ""


class LocalPublishingRight(models.Model):
    """Whether an org may publish 本地 articles, where it differs from the default.

    By default the provincial committee and its direct children (cities, universities,
    provincial working committees) have the right and no one else does (DESIGN §5); a row here
    grants it to another org or withdraws it from a default one.
    """

    organization = models.OneToOneField("orgtree.Organization", verbose_name="团组织", on_delete=models.CASCADE,
                                        related_name="local_publishing_right")
    allowed = models.BooleanField("可发布本地文章", default=True)
    note = models.CharField("备注", max_length=100, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    panels = [FieldPanel("allowed"), FieldPanel("note")]

    class Meta:
        verbose_name = "本地文章发布权限"
        verbose_name_plural = "本地文章发布权限"

    def __str__(self):
        return f"{self.organization} {'可发布' if self.allowed else '不可发布'}"


class OrgImageCollection(models.Model):
    """The image collection (Wagtail's ``Collection``) that holds one org's cover images.

    One per org, created on demand by :func:`home_articles.images.org_collection`; the CMS image
    permission policy (home_articles/images.py) lets an org's logins work in it and nowhere else.
    """

    organization = models.OneToOneField("orgtree.Organization", verbose_name="团组织", on_delete=models.CASCADE,
                                        related_name="image_collection")
    collection = models.OneToOneField("wagtailcore.Collection", verbose_name="图片集", on_delete=models.CASCADE,
                                      related_name="+")

    class Meta:
        verbose_name = "组织图片集"
        verbose_name_plural = "组织图片集"

    def __str__(self):
        return str(self.collection)
