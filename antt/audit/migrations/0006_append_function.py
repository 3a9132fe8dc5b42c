"""PostgreSQL: ``audit_append``, record()'s append in one server call (``antt.audit.db.APPEND_FUNCTION``).
Nothing on SQLite."""

from django.db import migrations

from antt.audit import db


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(db.APPEND_FUNCTION)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(db.APPEND_FUNCTION_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_alg_2_keyed_blake2b"),
    ]

    operations = [migrations.RunPython(install, remove)]
