from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "People"

    def ready(self) -> None:
        # Remember the person's time zone in the session when they sign in (issue 19).
        from . import timezones  # noqa: F401
