"""The hourly transfer auto-approval as a django-q2 schedule (DESIGN §6): on the hour, no catch-up."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

NAME = "transfers.auto_approve_hourly"


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    now = timezone.now()
    first = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    Schedule.objects.update_or_create(name=NAME, defaults={
        "func": "services.transfers.tasks.transfers_hourly", "schedule_type": "H", "repeats": -1, "next_run": first,
    })


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
