from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: the app only gives `manage.py` its `seed_demo` command."""

    name = "demo"
    verbose_name = "Demo"
