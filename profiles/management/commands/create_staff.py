"""The program's first staff account, from the shell, once: `manage.py create_staff --email ...`.

Everything after it happens in the portal and the admin: staff create support
groups and invite coordinators (docs/RUNNING_A_PROGRAM.md). Running it again
for the same address changes nothing but the password, if one is given: the
account is a program staff member (a role, not a Django superuser) with a
verified address.
"""

import getpass

import pghistory
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from profiles.services import staff_account_ensure


class Command(BaseCommand):
    help = "Create (or confirm) a program staff account: not a superuser; signs in with email and password."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The staff member's email address (their login).")
        parser.add_argument("--password", help="Their password. Left out: asked for at a prompt (not echoed).")
        parser.add_argument("--no-input", action="store_true", help="Never prompt; without --password, "
                            "an existing account keeps its password and a new one must set it by 'forgot password'.")

    def handle(self, *args, email, password, no_input, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an email address.") from None
        if password is None and not no_input:
            password = self._prompt()
        if password is not None:
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        with transaction.atomic(), pghistory.context(command="create_staff"):
            user, created = staff_account_ensure(email=email, password=password)
        verb = "Created" if created else "Confirmed"
        self.stdout.write(self.style.SUCCESS(f"{verb} program staff account {user.email}."))
        self.stdout.write("Sign in at /accounts/login/, create a support group in the admin (/admin/), "
                          "then invite its coordinator from /people/invitations/.")

    def _prompt(self) -> str:
        for _attempt in range(3):
            first = getpass.getpass("Password: ")
            if first and first == getpass.getpass("Password (again): "):
                return first
            self.stderr.write("The two passwords differ or are empty; try again.")
        raise CommandError("No password given.")
