"""The index of a branch's unpaid bills by member (its 欠交团费 to-do tile)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dues', '0005_bill_paid_by_index'),
        ('members', '0008_member_member_reviewed_at_and_more'),
        ('orgtree', '0003_constraint_messages'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='duesbill',
            index=models.Index(condition=models.Q(('paid_at__isnull', True)), fields=['branch', 'member'], name='dues_bill_branch_unpaid'),
        ),
    ]
