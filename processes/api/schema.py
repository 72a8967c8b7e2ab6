"""What drf-spectacular cannot infer: our token scheme and the one error shape.

Every operation documents the errors it can answer with, so clients (and the schemathesis
run in the tests) can rely on their shape as on any other response.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string", "example": "variables.amount: Enter a number."},
                "details": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string", "nullable": True},
                            "element_id": {"type": "string", "nullable": True},
                            "message": {"type": "string"},
                        },
                        "required": ["message"],
                    },
                },
            },
            "required": ["code", "message", "details"],
        }
    },
    "required": ["error"],
}
ERRORS = {
    "400": "The request is not valid: the message and details name the field or element.",
    "401": "Not authenticated: give Authorization: Token <key>.",
    "403": "Authenticated, but not allowed to do this.",
    "404": "No such object, or one the caller may not see.",
    "405": "The method is not allowed here.",
    "409": "The object's state does not allow it (a task already completed, an instance ended).",
    "415": "The request's content type is not accepted.",
    "429": "Too many requests (or failed authentications): wait as Retry-After says.",
}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal or service-account token: `Token <key>`.",
        }


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: the error component, and the errors on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR}"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {
                    "description": description,
                    "content": {"application/json": {"schema": reference}},
                })
    return result
