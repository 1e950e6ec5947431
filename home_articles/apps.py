from django.apps import AppConfig


class HomeArticlesConfig(AppConfig):
    name = "home_articles"
    verbose_name = "首页文章"
