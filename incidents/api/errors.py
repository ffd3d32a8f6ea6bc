"""One error format for the whole API, mapped in one place.

Every 4xx answers `{"errors": {"<field or parameter>": ["<reason>", ...]}}`;
errors not about one field are under `"detail"`. Nested fields are named by
their path: `casualties.1.high`. Domain errors raised by the services (a
Django `ValidationError` keyed by field, `ReportConflict`; `ActionRefused` (`reports/errors.py`: the review's
and the incident services' refusals) and `AttachmentRejected`, each with its own status)
become 4xx here, so views never translate errors themselves.

The database gone (a lost or refused connection: Django's `OperationalError`
or `InterfaceError`) is a 503 in the same format with `Retry-After`, never a
500: the client should simply try again, and a report sent again with the same
id is stored once. Outside the views (a middleware reading the session) the
same answer comes from `config/errors.py`, the site's handler500.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from reports.attachments import AttachmentRejected
from reports.errors import ActionRefused
from reports.services import ReportConflict

logger = logging.getLogger(__name__)

# A lost, refused or broken database connection: the service is unavailable for a while, not broken.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This id is already taken by a different report.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _(
        "Sijil cannot reach its database just now. Try again in a little while (see Retry-After); "
        "a report sent again with the same id is stored once."
    )
    default_code = "unavailable"


def database_unavailable_response() -> JsonResponse:
    """The API's 503 for a failure outside a view (config/errors.py): the same body and header as below."""
    response = JsonResponse({"errors": {"detail": [str(ServiceUnavailable.default_detail)]}}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_exception_handler(exc, context):
    if isinstance(exc, DATABASE_UNAVAILABLE):
        # The type only: a driver's message names the host and the database.
        logger.warning("Database unavailable (%s): answering 503", type(exc).__name__)
        exc = ServiceUnavailable()
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
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
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
