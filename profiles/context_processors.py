def notifications(request):
    """Unread notice count for the navigation (counted once per request, when the page shows it)."""
    user = getattr(request, "user", None)

    def unread_count() -> int:
        if not getattr(user, "is_authenticated", False):
            return 0
        return user.unread_notification_count

    return {"unread_notifications": unread_count}
