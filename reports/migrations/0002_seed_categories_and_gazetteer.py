from django.db import migrations

from reports.seed_data import load_categories, load_gazetteer


def seed(apps, schema_editor):
    load_categories(apps.get_model("reports", "Category"))
    load_gazetteer(apps.get_model("reports", "Area"), apps.get_model("reports", "AreaAlias"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
