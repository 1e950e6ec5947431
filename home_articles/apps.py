from django.apps import AppConfig


class HomeArticlesConfig(AppConfig):
    name = "home_articles"
    verbose_name = "首页文章"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from pages.models import ServiceLink

        from . import services  # noqa: F401 - registers audit actions
        from .cache import bump_feed_version_on_commit, bump_links_version_on_commit
        from .models import HomeArticle

        # Cache invalidation, not a business rule: every write path (services, Wagtail bulk
        # actions, cascades from an org's deletion) must reach the feed cache.
        for model, receiver in ((HomeArticle, bump_feed_version_on_commit), (ServiceLink, bump_links_version_on_commit)):
            post_save.connect(receiver, sender=model, dispatch_uid=f"feed-{model.__name__}-save")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"feed-{model.__name__}-delete")
