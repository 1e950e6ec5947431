from django.apps import AppConfig


class HomeArticlesConfig(AppConfig):
    name = "home_articles"
    verbose_name = "首页文章"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from pages.models import ServiceLink

        from portal.actors import ORG_ACTOR_KINDS
        from portal.registry import MenuItem, register_menu_item

        from . import images, services  # noqa: F401 - services registers audit actions

        images.install()  # CMS images per org (home_articles/images.py)
        from .views_manage import is_provincial_actor, may_publish

        for order, (label, url_name, visible) in enumerate([
            ("首页文章管理", "home_articles:manage_list", may_publish),
            ("本地文章发布权限", "home_articles:rights", is_provincial_actor),
            ("CMS宣传干部账号", "home_articles:cms_accounts", is_provincial_actor),
        ]):
            register_menu_item(MenuItem("其他功能", label, url_name, ORG_ACTOR_KINDS, order=10 + order,
                                        visible=visible))
        from .cache import bump_feed_version_on_commit, bump_links_version_on_commit
        from .models import HomeArticle

        # Cache invalidation, not a business rule: every write path (services, Wagtail bulk
        # actions, cascades from an org's deletion) must reach the feed cache.
        for model, receiver in ((HomeArticle, bump_feed_version_on_commit), (ServiceLink, bump_links_version_on_commit)):
            post_save.connect(receiver, sender=model, dispatch_uid=f"feed-{model.__name__}-save")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"feed-{model.__name__}-delete")
