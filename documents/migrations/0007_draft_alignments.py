from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_span_ended_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="versiondraft",
            name="alignments",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
