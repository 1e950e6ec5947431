from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.cms import YesNoColumn

from .forms import HomeArticleForm, LocalPublishingRightForm
from .models import HomeArticle, LocalPublishingRight
from .permissions import HomeArticlePermissionPolicy, editable_articles
from .views import (
    ArticleCreateView,
    ArticleDeleteBulkAction,
    ArticleDeleteView,
    ArticleEditView,
    ArticleHistoryView,
    ArticleUsageView,
    RightCreateView,
    RightEditView,
)


class HomeArticleViewSet(SnippetViewSet):
    """首页文章 in the CMS: each editor works on its own org's articles only (see views.py)."""

    model = HomeArticle
    icon = "doc-full"
    menu_label = "首页文章"
    menu_name = "home_articles"
    menu_order = 250
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    search_fields = ["title"]
    search_backend_name = None  # ORM search over the scoped queryset
    list_filter = ["kind", "live", "pinned"]
    ordering = ["-pinned", "-published_at"]
    list_display = [
        "title",
        Column("kind", label="类型", accessor="get_kind_display"),
        Column("published_at", label="发布时间"),
        YesNoColumn("pinned", label="置顶"),
        YesNoColumn("live", label="已发布"),
    ]
    edit_handler = ObjectList([FieldPanel(name) for name in (
        "kind", "title", "link_url", "link_page", "cover", "published_at", "pinned", "live")],
        base_form_class=HomeArticleForm)

    add_view_class = ArticleCreateView
    edit_view_class = ArticleEditView
    delete_view_class = ArticleDeleteView
    usage_view_class = ArticleUsageView
    history_view_class = ArticleHistoryView

    @property
    def permission_policy(self):
        return HomeArticlePermissionPolicy(self.model)

    def get_queryset(self, request):
        return editable_articles(request.user).select_related("publisher")

    def register_chooser_viewset(self):
        # Nothing chooses a home article, and a chooser would list every org's articles.
        pass


class LocalPublishingRightViewSet(SnippetViewSet):
    """本地文章发布权限: which orgs besides the default ones may publish 本地 (provincial staff only:
    no editors' group holds these model permissions)."""

    model = LocalPublishingRight
    icon = "key"
    menu_label = "本地文章发布权限"
    menu_name = "local_publishing_rights"
    menu_order = 251
    add_to_admin_menu = True
    copy_view_enabled = False
    list_display = ["organization", YesNoColumn("allowed", label="可发布本地文章"), "note", "updated_at"]
    edit_handler = ObjectList([FieldPanel("org_code"), FieldPanel("allowed"), FieldPanel("note")],
                              base_form_class=LocalPublishingRightForm)
    add_view_class = RightCreateView
    edit_view_class = RightEditView

    def register_chooser_viewset(self):
        pass


register_snippet(HomeArticleViewSet)
register_snippet(LocalPublishingRightViewSet)
# order=1: after Wagtail's own snippet bulk delete, which it replaces for this model.
hooks.register("register_bulk_action", ArticleDeleteBulkAction, order=1)
