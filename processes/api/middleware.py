"""Middleware that keeps the API's answers in its JSON error shape."""

from django.http import JsonResponse


class ApiNotFoundMiddleware:
    """Answer a URL under /api/ that matches no view with a JSON 404, not the HTML page.

    DRF renders the errors of its own views; a URL that matches none never reaches DRF, and
    Django would send an API client the HTML "Page not found".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.resolver_match is None
            and request.path.startswith("/api/")
        ):
            error = {
                "code": "not_found",
                "message": f"There is no API endpoint at {request.path}.",
                "details": [],
            }
            return JsonResponse({"error": error}, status=404)
        return response
