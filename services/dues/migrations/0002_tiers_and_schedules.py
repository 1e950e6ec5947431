"""The default tiers (DESIGN §5 Dues) and the dues schedules (DESIGN §6): bills and reminders on the
1st at 00:30 Asia/Shanghai (monthly, no catch-up), and the sync of orders whose notify never came."""

from datetime import date, datetime, time

from django.db import migrations
from django.utils import timezone

BILLS = "dues.bills_monthly"
SYNC = "dues.orders_sync"


def create(apps, schema_editor):
    from services.dues.tiers import seed_defaults

    seed_defaults(apps.get_model("dues", "DuesTier"))
    Schedule = apps.get_model("django_q", "Schedule")
    today = timezone.localdate()
    first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    Schedule.objects.update_or_create(name=BILLS, defaults={
        "func": "services.dues.tasks.bills_monthly", "schedule_type": "M", "repeats": -1,
        "next_run": timezone.make_aware(datetime.combine(first, time(0, 30)))})
    Schedule.objects.update_or_create(name=SYNC, defaults={
        "func": "services.dues.tasks.orders_sync", "schedule_type": "I", "minutes": 10, "repeats": -1,
        "next_run": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=[BILLS, SYNC]).delete()
    apps.get_model("dues", "DuesTier").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dues", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
