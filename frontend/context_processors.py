from frontend.navigation import entries_for
from processes.worklist import counts


def navigation(request):
    """Put the user's navigation entries and the current page's name into templates."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    return {
        "nav_entries": entries_for(user) if user else [],
        "current_url_name": match.view_name if match else "",
        "task_counts": counts(user) if user and user.is_authenticated else {},
    }
