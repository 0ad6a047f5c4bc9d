import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_repair_slugs"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClauseLineageLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("document", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="lineage_links", to="documents.document")),
                ("lineage", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="links_out", to="documents.clauselineage")),
                ("same_as", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="links_in", to="documents.clauselineage")),
                ("version", models.ForeignKey(help_text="The version whose publication showed the two keys are one clause", on_delete=django.db.models.deletion.PROTECT, related_name="+", to="documents.documentversion")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("lineage", "same_as"), name="uniq_lineage_link")],
            },
        ),
    ]
