"""Record administrative actions in the audit log (``processes.models.AuditEntry``)."""

from processes.models import AuditEntry


def record(user, action: str, *, instances=(), target: str = "", details=None,
           reason: str = "") -> AuditEntry:
    """Log ``action`` by ``user``; call it inside the action's own transaction."""
    return AuditEntry.objects.create(
        actor=user if user is not None and user.is_authenticated else None, action=action,
        instance_ids=sorted(instances), target=target, details=details or {}, reason=reason,
    )
