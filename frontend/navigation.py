"""The navigation bar: one entry per page that works, shown to those who may open it."""

from dataclasses import dataclass

from accounts.roles import capability


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None = None
    staff_only: bool = False

    def visible_to(self, user) -> bool:
        if self.staff_only and not user.is_staff:
            return False
        return self.permission is None or user.has_perm(self.permission)


ENTRIES = [
    NavEntry("Home", "home"),
    NavEntry("Tasks", "inbox"),
    NavEntry("Start a process", "start-list", capability("start_processes")),
    NavEntry("Processes", "process-list", capability("view_processes")),
    NavEntry("Dashboards", "dashboards", capability("view_dashboards")),
    NavEntry("Designer", "designer-list", capability("design_processes")),
    NavEntry("Webhooks", "webhook-list", capability("manage_webhooks")),
    NavEntry("System", "system-status", capability("operate_instances")),
    NavEntry("Admin", "admin:index", staff_only=True),
]


def entries_for(user) -> list[NavEntry]:
    """Return the entries ``user`` may open, in display order."""
    if not user.is_authenticated:
        return []
    return [entry for entry in ENTRIES if entry.visible_to(user)]
