"""On PostgreSQL, name search (`full_name LIKE '%…%'`) is served by a pg_trgm GIN index.

Chinese characters form trigrams under the UTF-8 ctype, so queries of three or more
characters use the index. SQLite has no equivalent and keeps the plain B-tree index.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS orgtree_org_full_name_trgm "
        "ON orgtree_organization USING gin (full_name gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS orgtree_org_full_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("orgtree", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
