"""Make audit entries append-only with database triggers (SQLite and PostgreSQL)."""

from django.db import migrations

from antt.audit import db


def install(apps, schema_editor):
    db.install_triggers(schema_editor.connection)


def uninstall(apps, schema_editor):
    db.drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
