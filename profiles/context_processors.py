from .models import Notification


def notifications(request):
    """Unread notice count for the navigation, queried only if a template asks."""
    user = getattr(request, "user", None)

    def unread_count() -> int:
        if not getattr(user, "is_authenticated", False):
            return 0
        return Notification.objects.visible_to(user).unread().count()

    return {"unread_notifications": unread_count}
