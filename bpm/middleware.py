"""Project-wide middleware."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from rest_framework.views import APIView


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Send anonymous visitors of pages to the login page; leave API views alone.

    API clients authenticate with tokens that only DRF reads, and must get 401/403 JSON
    rather than a redirect to an HTML login form. Every API view still requires an
    authenticated user through DRF's default permission class.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
