"""The per-minute sweep that retries WeChat Work contact syncs (DESIGN §6)."""

from django.db import migrations

NAME = "cadres.contact_retry_due"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(name=NAME, defaults={
        "func": "services.cadres.tasks.contact_retry_due", "schedule_type": "I", "minutes": 1, "repeats": -1,
    })


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cadres", "0003_contactsync"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
