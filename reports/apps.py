from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reports.roles import ensure_role_groups

        # Permissions exist only after migrate, so the role groups are synced then.
        post_migrate.connect(ensure_role_groups, dispatch_uid="sijil_ensure_role_groups")
