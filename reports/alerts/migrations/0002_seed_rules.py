"""The seeded rules: any killing or execution, and any report with a killed figure of five or more."""

from django.db import migrations

RULES = [
    {"name": "Any killing or execution", "categories": ["killing", "execution"], "killed_at_least": None},
    {"name": "Five or more killed", "categories": [], "killed_at_least": 5},
]


def seed(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in RULES:
        AlertRule.objects.get_or_create(name=rule["name"], defaults=rule)


def unseed(apps, schema_editor):
    apps.get_model("alerts", "AlertRule").objects.filter(name__in=[r["name"] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
