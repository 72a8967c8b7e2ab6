"""One JSON shape for every API error.

``{"error": {"code", "message", "details": [{"field" or "element_id", "message"}]}}``
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(exceptions.APIException):
    """An error with a code, a message and details, rendered in the common shape."""

    def __init__(self, message, *, code="invalid", status_code=400, details=()):
        super().__init__(message, code)
        self.status_code = status_code
        self.error_code = code
        self.details = list(details)


class Conflict(ApiError):
    def __init__(self, message, *, code="conflict"):
        super().__init__(message, code=code, status_code=status.HTTP_409_CONFLICT)


def invalid_bpmn(error) -> ApiError:
    """Turn a refused BPMN file into a 400 naming each offending element."""
    problems = [p for p in error.problems if p.severity == "error"] or list(error.problems)
    return ApiError(
        str(error),
        code="invalid_bpmn",
        details=[{"element_id": p.element_id, "message": p.message} for p in problems],
    )


def exception_handler(exc, context):
    """Render DRF's and our exceptions in the common shape."""
    # DRF turns Django's own exceptions into its ones inside its handler; turned here
    # instead, they keep their codes (not_found, permission_denied) for the body.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        body = {"code": exc.error_code, "message": str(exc.detail), "details": exc.details}
    elif isinstance(exc, exceptions.ValidationError):
        details = list(flatten(exc.detail))
        first = details[0] if details else {"message": "Invalid input."}
        body = {"code": "invalid", "message": _field_message(first), "details": details}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(response.data.get("detail", exc)),
            "details": [],
        }
    return Response({"error": body}, status=response.status_code, headers=_headers(response))


def flatten(detail, prefix=""):
    """Yield ``{"field", "message"}`` for every message in a nested DRF error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # DRF keys the errors of a list's items by index
                yield from flatten(value, f"{prefix}[{key}]")
                continue
            name = key if key != "non_field_errors" else ""
            yield from flatten(value, f"{prefix}.{name}".strip(".") if prefix else name)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            nested = isinstance(value, (dict, list))
            yield from flatten(value, f"{prefix}[{index}]" if nested else prefix)
    else:
        yield {"field": prefix or None, "message": str(detail)}


def _field_message(detail: dict) -> str:
    return f"{detail['field']}: {detail['message']}" if detail.get("field") else detail["message"]


def _headers(response):
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
