from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from accounts.roles import sync_roles

    sync_roles()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        # Permissions are created after migrations, so roles are synced then, every time:
        # a new capability reaches existing installations with the next `migrate`.
        post_migrate.connect(_sync_roles, sender=self)
