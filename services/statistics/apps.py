from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "services.statistics"
    label = "statistics"
    verbose_name = "数据统计"

    def ready(self):
        from . import wiring

        wiring.connect()
