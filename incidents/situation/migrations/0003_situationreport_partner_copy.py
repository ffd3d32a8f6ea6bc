"""The partners' copy of a situation report: verified incidents only (docs/situation.md, "Two copies").

Reports generated before this have no partners' copy: the API lists only reports that have one, and
such a report cannot be published (generate it again).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("situation", "0002_outage_restored_index")]

    operations = [
        migrations.AddField(
            model_name="situationreport",
            name="partner_html",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="situationreport",
            name="partner_pdf",
            field=models.BinaryField(blank=True, default=b""),
        ),
    ]
