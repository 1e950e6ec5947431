"""The statistics schedules (DESIGN §6): the figures every 15 minutes, everything nightly at 01:30."""

from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone

DELTA = "statistics.refresh_delta"
FULL = "statistics.refresh_full"


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(name=DELTA, defaults={
        "func": "services.statistics.tasks.refresh_delta", "schedule_type": "I", "minutes": 15, "repeats": -1,
        "next_run": timezone.now()})
    tomorrow = timezone.localdate() + timedelta(days=1)
    Schedule.objects.update_or_create(name=FULL, defaults={
        "func": "services.statistics.tasks.refresh_full", "schedule_type": "D", "repeats": -1,
        "next_run": timezone.make_aware(datetime.combine(tomorrow, time(1, 30)))})


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=[DELTA, FULL]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
