from django.apps import AppConfig

# DESIGN.md places the informal 1:1 chat board (and resources) in support/. They live
# in this top-level app instead so that their migrations, and the program insights
# (which read matches, check-ins and concerns), do not couple to the check-in code:
# community imports support, escalations, matches and profiles; nothing imports it.


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Chat board, toolkit and insights"

    def ready(self) -> None:
        from privacy.registry import register_app

        from . import privacy

        register_app("community", privacy)
