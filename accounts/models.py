"""Models of the accounts app."""

from django.db import models

from accounts.roles import CAPABILITIES


class Capability(models.Model):
    """Anchor for the platform-wide permissions that roles grant.

    Django permissions belong to a content type, and these capabilities concern no single
    model, so they hang on this table-less model, as Django's documentation suggests.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(CAPABILITIES.items())
