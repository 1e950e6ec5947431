"""The nightly 满28 leaving as a django-q2 schedule (DESIGN §6): 01:30 Asia/Shanghai, no catch-up."""

from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone

NAME = "members.age_out_nightly"


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    now = timezone.localtime()
    first = timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), time(1, 30)))
    Schedule.objects.update_or_create(name=NAME, defaults={
        "func": "services.members.tasks.age_out_nightly", "schedule_type": "D", "repeats": -1, "next_run": first,
    })


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
