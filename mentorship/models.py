from django.db import models


class Heartbeat(models.Model):
    """Last time a periodic job ran (`beat`: the beat schedule reached a worker; read by health.check_beat)."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
