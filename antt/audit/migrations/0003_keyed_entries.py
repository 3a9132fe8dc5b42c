"""Entries are keyed from now on (``alg = 1``); the entries already written stay as they are (``alg = 0``).

On SQLite adding a NOT NULL column rebuilds the table, which drops its triggers: put them back."""

from django.db import migrations, models

from antt.audit import db


def install(apps, schema_editor):
    db.install_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="alg",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="0: SHA-256 (entries written before the key); 1: HMAC-SHA256 with the audit key.",
                verbose_name="hash algorithm",
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
