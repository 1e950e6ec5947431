from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "services.awards"
    label = "awards"
    verbose_name = "奖惩管理"

    def ready(self):
        from . import wiring

        wiring.connect()
