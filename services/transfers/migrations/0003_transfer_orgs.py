"""TransferOrg: the orgs that see each transfer, with the rows of every transfer already started."""

import django.db.models.deletion
from django.db import migrations, models

STEP = 4  # Organization.steplen
BATCH = 1000


def backfill(apps, schema_editor):
    """The rows ``services.transfers.ancestry`` writes, for the transfers made before it, a batch at a time."""
    Transfer = apps.get_model("transfers", "Transfer")
    TransferOrg = apps.get_model("transfers", "TransferOrg")
    Organization = apps.get_model("orgtree", "Organization")
    last = 0
    while True:
        batch = list(Transfer.objects.filter(pk__gt=last).order_by("pk")
                     .values_list("pk", "from_branch__path", "to_branch__path")[:BATCH])
        if not batch:
            return
        sides = {}
        for pk, out, into in batch:
            for path, side in ((out, 0), (into or "", 1)):
                for end in range(STEP, len(path) + 1, STEP):
                    sides.setdefault((pk, path[:end]), [False, False])[side] = True
        paths = sorted({path for _, path in sides})
        org_ids = {}
        for start in range(0, len(paths), 500):
            org_ids.update(Organization.objects.filter(path__in=paths[start:start + 500]).values_list("path", "pk"))
        TransferOrg.objects.bulk_create(
            TransferOrg(org_id=org_ids[path], transfer_id=pk, outgoing=o, incoming=i)
            for (pk, path), (o, i) in sides.items())
        last = batch[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ('orgtree', '0003_constraint_messages'),
        ('transfers', '0002_hourly_schedule'),
    ]

    operations = [
        migrations.CreateModel(
            name='TransferOrg',
            fields=[
                ('pk', models.CompositePrimaryKey('org', 'transfer', blank=True, editable=False, primary_key=True, serialize=False)),
                ('outgoing', models.BooleanField(default=False, verbose_name='转出方')),
                ('incoming', models.BooleanField(default=False, verbose_name='转入方')),
                ('org', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgtree.organization', verbose_name='组织')),
                ('transfer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='orgs', to='transfers.transfer', verbose_name='转接')),
            ],
            options={
                'verbose_name': '转接所属组织',
                'verbose_name_plural': '转接所属组织',
                'constraints': [models.CheckConstraint(condition=models.Q(('outgoing', True), ('incoming', True), _connector='OR'), name='transfer_org_has_side', violation_error_code='side', violation_error_message='转接所属组织须在转出方或转入方')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
