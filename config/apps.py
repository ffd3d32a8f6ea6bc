from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class SijilAdminConfig(AdminConfig):
    """Django's admin with Sijil's site as `admin.site`: role-based admission and a one-time code."""

    default_site = "reports.admin_site.SijilAdminSite"


class SijilTOTPConfig(TOTPConfig):
    """django-otp's TOTP devices, named for the people who see them in the admin (not "OTP_TOTP")."""

    verbose_name = _("Authenticator apps")
