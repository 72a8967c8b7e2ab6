"""DRF authentication by personal API token: ``Authorization: Token <key>``."""

from rest_framework import authentication, exceptions

from accounts.throttling import FailureCounter, client_address
from accounts.tokens import TokenRefused, user_for_key


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        failures = FailureCounter("token", client_address(request))
        wait = failures.retry_after()
        if wait:
            raise exceptions.Throttled(wait, "Too many failed token authentications from your address.")
        try:
            key = self.key_in(parts)
            return user_for_key(key), key
        except TokenRefused as exc:
            failures.record()
            raise exceptions.AuthenticationFailed(str(exc)) from None

    def key_in(self, parts) -> str:
        """Return the key of a split ``Authorization`` header."""
        if len(parts) != 2:
            raise TokenRefused("Give the token as 'Authorization: Token <key>'.")
        try:
            return parts[1].decode()
        except UnicodeDecodeError:
            raise TokenRefused("The token contains invalid characters.") from None

    def authenticate_header(self, request):
        return self.keyword
