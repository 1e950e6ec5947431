"""The per-minute sweep that retries WeChat deliveries (DESIGN §6: every job a django-q2 schedule)."""

from django.db import migrations

NAME = "messaging.retry_due"


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(name=NAME, defaults={
        "func": "services.messaging.tasks.retry_due", "schedule_type": "I", "minutes": 1, "repeats": -1,
    })


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
