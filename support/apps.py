from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "MEA support and check-ins"

    def ready(self) -> None:
        from privacy.registry import register_app

        from . import joining, privacy  # noqa: F401 (joining: receivers of profiles' joining signals)

        register_app("support", privacy)

        # The stored need score follows the matches and reports it is made of (support.need).
        from escalations.signals import concern_changed
        from matches.signals import match_changed

        from .need import need_score_refresh

        def match_moved(sender, match_ids, **kwargs):
            need_score_refresh(match_ids)

        def concern_moved(sender, match_id, **kwargs):
            if match_id is not None:  # a report about someone outside a match has no match to rank
                need_score_refresh([match_id])

        match_changed.connect(match_moved, weak=False, dispatch_uid="support.need.match")
        concern_changed.connect(concern_moved, weak=False, dispatch_uid="support.need.concern")
