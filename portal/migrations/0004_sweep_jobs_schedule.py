"""The per-minute sweep of background job records (portal.jobs, DESIGN §6)."""

from django.db import migrations

NAME = "portal.sweep_jobs"


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(name=NAME, defaults={
        "func": "portal.tasks.sweep_jobs", "schedule_type": "I", "minutes": 1, "repeats": -1,
    })


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_constraint_messages"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
