from django.core.exceptions import ValidationError


class MatchingError(ValidationError):
    """A matching rule said no. The message is safe to show to the person."""

    @property
    def text(self) -> str:
        return " ".join(self.messages)
