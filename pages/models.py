"""Wagtail pages: portal home, 系统公告, 帮助中心, 团务小常识, and the 其他服务 links.

The page tree (made by migration 0002) is::

    HomePage 智慧团建 (the default site's root)
    ├── AnnouncementIndexPage 系统公告 → AnnouncementPage …
    └── HelpCenterPage 帮助中心 → HelpArticlePage … (audience 组织/团干/团员), TipsPage 团务小常识

Readers never go through Wagtail's own page serving for their work: the desktop and mobile
views (pages/views.py) load live pages by id through the selectors and render them inside
each end's shell. Wagtail serving (under /pages/) remains for the CMS preview.
"""

from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.documents import get_document_model_string
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .cjk import index_grams

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "image", "hr"]


class CJKSearchMixin:
    """Adds the CJK n-gram search field (see pages/cjk.py)."""

    def search_grams(self):
        return index_grams(self.title, getattr(self, "summary", ""), getattr(self, "body", ""))


class HomePage(Page):
    """The portal's root page: the members' and cadres' ends link into its sections."""

    intro = models.TextField("简介", blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["pages.AnnouncementIndexPage", "pages.HelpCenterPage"]
    max_count = 1
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = "门户首页"


class AnnouncementIndexPage(Page):
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.AnnouncementPage"]
    max_count = 1

    class Meta:
        verbose_name = "系统公告栏目"


class AnnouncementPage(CJKSearchMixin, Page):
    """系统公告: important documents about the system and grass-roots organisation work."""

    date = models.DateField("发稿时间", default=timezone.localdate, db_index=True)
    source = models.CharField("来源", max_length=64, blank=True, default="团省委")
    body = RichTextField("公告内容", features=RICH_TEXT_FEATURES)

    parent_page_types = ["pages.AnnouncementIndexPage"]
    subpage_types = []
    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("source"),
        FieldPanel("body"),
        InlinePanel("attachments", label="附件"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("body"),
        index.SearchField("search_grams"),
        index.FilterField("date"),
    ]

    class Meta:
        verbose_name = "系统公告"
        verbose_name_plural = "系统公告"


class AnnouncementAttachment(Orderable):
    page = ParentalKey(AnnouncementPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(get_document_model_string(), verbose_name="文件", on_delete=models.CASCADE,
                                 related_name="+")

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = "公告附件"


class HelpCenterPage(Page):
    intro = RichTextField("说明", blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.HelpArticlePage", "pages.TipsPage"]
    max_count = 1
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = "帮助中心"


class Audience(models.TextChoices):
    ORG = "org", "组织"
    CADRE = "cadre", "团干"
    MEMBER = "member", "团员"


class HelpArticlePage(CJKSearchMixin, Page):
    audience = models.CharField("面向对象", max_length=8, choices=Audience.choices, db_index=True)
    summary = models.CharField("摘要", max_length=200, blank=True)
    body = RichTextField("正文", features=RICH_TEXT_FEATURES)

    parent_page_types = ["pages.HelpCenterPage"]
    subpage_types = []
    content_panels = Page.content_panels + [FieldPanel("audience"), FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("search_grams"),
        index.FilterField("audience"),
    ]

    class Meta:
        verbose_name = "帮助文章"
        verbose_name_plural = "帮助文章"


class TipsPage(CJKSearchMixin, Page):
    """团务小常识: short facts from the League constitution shown to members."""

    body = RichTextField("正文", features=RICH_TEXT_FEATURES)

    parent_page_types = ["pages.HelpCenterPage"]
    subpage_types = []
    max_count = 1
    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body"), index.SearchField("search_grams")]

    class Meta:
        verbose_name = "团务小常识"
        verbose_name_plural = "团务小常识"


class ServiceLink(models.Model):
    """其他服务: an external service linked from the member home (i志愿, 12355青年之声, 易展翅 …).

    A snippet rather than a site setting: wagtail.contrib.settings is not installed, and an
    ordered list of rows is what editors manage here anyway.
    """

    title = models.CharField("名称", max_length=32)
    url = models.URLField("链接")
    description = models.CharField("说明", max_length=64, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    enabled = models.BooleanField("显示", default=True)

    panels = [FieldPanel("title"), FieldPanel("url"), FieldPanel("description"), FieldPanel("sort_order"),
              FieldPanel("enabled")]

    class Meta:
        verbose_name = "其他服务链接"
        verbose_name_plural = "其他服务链接"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.title
