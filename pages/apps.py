from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "门户页面"
