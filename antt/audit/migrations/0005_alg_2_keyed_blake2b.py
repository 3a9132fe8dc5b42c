"""New keyed entries are written as ``alg = 2`` (keyed BLAKE2b-256 of a body the database builds in one call;
issue 12). Only the help text changes: no column, no SQL (the append-only triggers stay as they are)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_lanes_anchors_and_head_trigger"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="alg",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="0: SHA-256 (entries written before the key); 1: HMAC-SHA256 with the audit key; 2: keyed BLAKE2b-256 (entries written since issue 12).",
                verbose_name="hash algorithm",
            ),
        ),
    ]
