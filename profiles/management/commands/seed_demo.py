import os
from importlib import import_module

import pghistory
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from profiles.acting import actor_named
from profiles.demo import DEMO_PASSWORD, DemoContext


class Command(BaseCommand):
    help = "Create a believable demo program (idempotent) and print every login."

    def handle(self, *args, **options):
        ctx = DemoContext()
        with transaction.atomic():
            # Each app seeds its own data in app order (profiles first), so
            # profiles never imports the apps built on top of it.
            for config in apps.get_app_configs():
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                # Its rows are in the history as made by this command (a service inside that
                # names who it acts for changes nothing: profiles.acting).
                with pghistory.context(command="seed_demo"), actor_named():
                    module.seed(ctx)
        where = f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or 8000}/accounts/login/"
        self.stdout.write(self.style.SUCCESS(f"Demo program ready. Sign in at {where}"))
        self.stdout.write(f"Shared demo password: {DEMO_PASSWORD}")
        for line in ctx.lines:
            self.stdout.write(f"  {line}")
