"""One error format for the whole API, mapped in one place.

Every 4xx answers `{"errors": {"<field or parameter>": ["<reason>", ...]}}`;
errors not about one field are under `"detail"`. Nested fields are named by
their path: `casualties.1.high`. Domain errors raised by the services (a
Django `ValidationError` keyed by field, `ReportConflict`; `ActionRefused` (`reports/errors.py`: the review's
and the incident services' refusals) and `AttachmentRejected`, each with its own status)
become 4xx here, so views never translate errors themselves.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from reports.attachments import AttachmentRejected
from reports.errors import ActionRefused
from reports.services import ReportConflict


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This id is already taken by a different report.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


def api_exception_handler(exc, context):
    if isinstance(exc, ReportConflict):
        exc = exceptions.ValidationError({"id": [str(Conflict.default_detail)]})
        exc.status_code = status.HTTP_409_CONFLICT
    elif isinstance(exc, ActionRefused):
        status_code = exc.status
        exc = exceptions.ValidationError(exc.as_dict())
        exc.status_code = status_code
    elif isinstance(exc, AttachmentRejected):
        status_code = exc.status
        exc = exceptions.ValidationError({exc.field: [exc.reason]})
        exc.status_code = status_code
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": list(exc.messages)}
        )
    elif isinstance(exc, Http404):
        # One message for "missing" and "not yours": the two must be indistinguishable.
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    response = exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"errors": flatten_errors(response.data)}
    return response


def flatten_errors(detail, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as `{"a.0.b": ["reason"]}`."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            # An error about a nested object as a whole is named by the object's path.
            name = (
                path if (path and key == api_settings.NON_FIELD_ERRORS_KEY) else f"{path}.{key}" if path else str(key)
            )
            for field, messages in flatten_errors(value, name).items():
                errors.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            if detail:
                errors[path or "detail"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                name = f"{path}.{index}" if path else str(index)
                for field, messages in flatten_errors(item, name).items():
                    errors.setdefault(field, []).extend(messages)
    else:
        errors[path or "detail"] = [str(detail)]
    return errors
