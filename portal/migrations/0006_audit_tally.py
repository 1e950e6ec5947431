"""AuditTally: each org's count of 操作日志 entries, counted once from the log for the entries already there."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def backfill(apps, schema_editor):
    AuditLog = apps.get_model("portal", "AuditLog")
    AuditTally = apps.get_model("portal", "AuditTally")
    counts = (AuditLog.objects.filter(organization__isnull=False).order_by().values("organization")
              .annotate(n=Count("id")).values_list("organization", "n"))
    AuditTally.objects.bulk_create((AuditTally(organization_id=org, entries=n) for org, n in counts.iterator()),
                                   batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('orgtree', '0003_constraint_messages'),
        ('portal', '0005_audit_index_with_id'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditTally',
            fields=[
                ('organization', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='orgtree.organization', verbose_name='所代表组织')),
                ('entries', models.PositiveBigIntegerField(default=0, verbose_name='日志条数')),
            ],
            options={
                'verbose_name': '操作日志条数',
                'verbose_name_plural': '操作日志条数',
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
