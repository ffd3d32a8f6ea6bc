"""The admin site: entered by reviewers and coordinators only, with a one-time code (TOTP).

Admission follows the role groups (`reports.roles`), not `is_staff`: a
monitor can never enter, whatever flags the account carries. Every account
needs a confirmed TOTP device (django-otp). A first login with the password
alone leads only to the enrolment page, which shows the secret as a QR code
and as text and confirms the device with a first code; once a device is
confirmed, enrolment is closed to that account (a coordinator can delete the
device to start again). `SIJIL_ADMIN_2FA=0` turns the second factor off,
and the settings accept it only for the local demo (`SIJIL_DEMO=1`).
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from reports.roles import two_factor_required


def may_enter_admin(user) -> bool:
    """Reviewers and coordinators (by role group) and superusers; never monitors or partners."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_reviewer))


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


class SijilLoginForm(AdminAuthenticationForm):
    """Password and, once a device is enrolled, the six-digit code from it."""

    otp_token = forms.CharField(
        label=gettext_lazy("One-time code"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy("From your authenticator app. Leave empty on your first login to enrol one."),
    )
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("Please enter a correct username and password, and the code from your app."),
        "not_allowed": gettext_lazy("This account cannot use the review admin."),
        "token_required": gettext_lazy("Enter the one-time code from your authenticator app."),
        "invalid_token": gettext_lazy("The one-time code is wrong or expired; enter the current one."),
        "throttled": gettext_lazy("Too many wrong codes; wait a little and try again."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not two_factor_required():
            del self.fields["otp_token"]  # the local demo (SIJIL_ADMIN_2FA=0): no field it does not read

    def confirm_login_allowed(self, user) -> None:
        if not may_enter_admin(user):
            raise forms.ValidationError(self.error_messages["not_allowed"], code="not_allowed")

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not two_factor_required():
            return cleaned
        device = confirmed_totp_device(user)
        if device is None:
            return cleaned  # first login: the session may only enrol a device
        token = (cleaned.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError(self.error_messages["token_required"], code="token_required")
        allowed, _extra = device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        if not device.verify_token(token):
            raise forms.ValidationError(self.error_messages["invalid_token"], code="invalid_token")
        # django_otp's user_logged_in handler keeps the device in the session: the session is verified.
        user.otp_device = device  # type: ignore[attr-defined]  # django_otp's attribute; it has no types
        return cleaned


class EnrolForm(forms.Form):
    otp_token = forms.CharField(label=gettext_lazy("The code your app shows now"), max_length=8)


class SijilAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Sijil review")
    site_title = gettext_lazy("Sijil review")
    index_title = gettext_lazy("Review and registers")
    login_form = SijilLoginForm
    login_template = "admin/otp/login.html"
    # The sidebar repeats the index and takes a fifth of a desk's screen from the queue's columns
    # (the breadcrumbs and the index stay); see reports/static/reports/admin-review.css.
    enable_nav_sidebar = False

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        """The index and app pages, with django-otp's device model named for a person (it has no translation)."""
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            if app["app_label"] == "otp_totp":
                for model in app["models"]:
                    model["name"] = _("Authenticator app devices")
        return app_list

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not may_enter_admin(user):
            return False
        # OTPMiddleware adds is_verified() to request.user; django_otp has no types.
        return not two_factor_required() or user.is_verified()  # type: ignore[union-attr]

    def login(self, request: HttpRequest, extra_context=None):
        user = request.user
        if (
            request.method == "GET"
            and two_factor_required()
            and may_enter_admin(user)
            and not user.is_verified()  # type: ignore[union-attr]  # OTPMiddleware's, untyped
            and confirmed_totp_device(user) is None
        ):
            return HttpResponseRedirect(reverse(f"{self.name}:otp_enrol"))
        return super().login(request, extra_context)

    def get_urls(self):
        return [path("otp/enrol/", self.enrol_view, name="otp_enrol"), *super().get_urls()]

    def enrol_view(self, request: HttpRequest) -> HttpResponse:
        """Enrol a first TOTP device: show the secret (QR and text), confirm it with a code."""
        user = request.user
        if not may_enter_admin(user) or not two_factor_required():
            return HttpResponseRedirect(reverse(f"{self.name}:login"))
        if confirmed_totp_device(user) is not None:
            # Enrolment is for a first device only; someone with the password alone cannot add one.
            return HttpResponseRedirect(reverse(f"{self.name}:index"))
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=_("authenticator app"), confirmed=False)
        form = EnrolForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            allowed, _extra = device.verify_is_allowed()
            if not allowed:
                form.add_error("otp_token", SijilLoginForm.error_messages["throttled"])
            elif device.verify_token(form.cleaned_data["otp_token"].strip()):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                return HttpResponseRedirect(reverse(f"{self.name}:index"))
            else:
                form.add_error("otp_token", _("The code does not match; check the time on your phone and try again."))
        secret = base64.b32encode(device.bin_key).decode()
        context = {
            **self.each_context(request),
            "title": _("Set up your authenticator app"),
            "form": form,
            "secret": secret,
            "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr_data_uri": _qr_data_uri(device.config_url),
        }
        return TemplateResponse(request, "admin/otp/enrol.html", context)


def _qr_data_uri(text: str) -> str:
    """The QR code as an SVG data URI (the page's policy allows images from data:, not inline markup)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
