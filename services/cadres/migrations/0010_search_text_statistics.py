"""A finer sample of ``search_text`` for PostgreSQL's planner (issue 16, 通讯录 search).

With the default statistics target the histogram of ``search_text`` holds 101 entries, and the
estimate of ``LIKE '%…%'`` mixes in a fixed guess (about 1 % of the rows for any four characters).
A rare name (27 posts of 110,000) was then read by a sequential scan that stopped only at the
table's end: 40 ms, where the trigram index answers in under a millisecond. With 1,000 entries the
estimate comes from the histogram alone: rare text goes to the index, common text (团支部, 委员会)
still to the scan that stops at the fiftieth row.
"""

from django.db import migrations

TARGET = 1000


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE cadres_cadrepost ALTER COLUMN search_text SET STATISTICS {TARGET}")
    schema_editor.execute("ANALYZE cadres_cadrepost (search_text)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cadres_cadrepost ALTER COLUMN search_text SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("cadres", "0009_background_job")]
    operations = [migrations.RunPython(forwards, backwards)]
