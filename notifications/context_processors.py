from functools import cache

from .models import Notice


def notifications(request):
    """Unread notice count for the navigation: counted once per request, and only if a page shows it."""
    user = getattr(request, "user", None)

    @cache
    def unread_count() -> int:
        if not getattr(user, "is_authenticated", False):
            return 0
        if hasattr(user, "unread_notices"):  # read with the signed-in person (mentorship.security)
            return user.unread_notices
        return Notice.objects.visible_to(user).unread().count()

    return {"unread_notifications": unread_count}
