from django.contrib.admin.apps import AdminConfig


class SijilAdminConfig(AdminConfig):
    """Django's admin with Sijil's site as `admin.site`: role-based admission and a one-time code."""

    default_site = "reports.admin_site.SijilAdminSite"
