from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "services.dues"
    label = "dues"
    verbose_name = "团费管理"

    def ready(self):
        from . import registrations

        registrations.register_all()
