from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "services.evaluation"
    label = "evaluation"
    verbose_name = "教育评议与年度注册"

    def ready(self):
        from . import wiring

        wiring.connect()
