"""``manage.py set_role <username> <Viewer|Operator|Admin>``: give a user exactly one role.

Roles are groups kept in sync by migrations; handing them out through the admin means
ticking the right group *and* the staff flag. This command does both in one step (via
``assign_role``), and with ``--create`` makes the user too, so a fresh install can get its
first operators without the admin.
"""

import argparse
import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dcim.accounts.roles import ADMIN, ROLES, assign_role


def _role(value: str) -> str:
    """Accept a role name in any case (``operator``), answer with its canonical spelling."""
    for role in ROLES:
        if role.lower() == value.lower():
            return role
    raise argparse.ArgumentTypeError(f"unknown role {value!r}; choose {', '.join(ROLES)}")


class Command(BaseCommand):
    help = "Put a user in exactly one role (Viewer, Operator or Admin); Admins become staff."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", type=_role, help=", ".join(ROLES) + " (any case)")
        parser.add_argument(
            "--create", action="store_true", help="Create the user if it does not exist."
        )
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Set the password from this environment variable (never from the command "
            "line, where it would show in the process list and shell history).",
        )

    def handle(self, *args: Any, username: str, role: str, **options: Any) -> None:
        User = get_user_model()
        password = self._password_from_env(options["password_from_env"])
        with transaction.atomic():
            user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
            created = user is None
            if created:
                if not options["create"]:
                    raise CommandError(f"No user {username!r}. Pass --create to create it.")
                user = User(**{User.USERNAME_FIELD: username})
                password = password or self._prompt_password()
            if password:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError("Password rejected: " + " ".join(exc.messages)) from exc
                user.set_password(password)
            user.save()
            assign_role(user, role)
        verb = "Created" if created else "Updated"
        staff = " (staff: can use /admin/)" if role == ADMIN else ""
        self.stdout.write(self.style.SUCCESS(f"{verb} {username}: role {role}{staff}."))
        if user.is_superuser and role != ADMIN:
            self.stderr.write(
                f"Note: {username} is a superuser and keeps every permission whatever the role."
            )

    def _password_from_env(self, var: str | None) -> str | None:
        if not var:
            return None
        value = os.environ.get(var, "")
        if not value:
            raise CommandError(f"--password-from-env {var}: that variable is empty or unset.")
        return value

    def _prompt_password(self) -> str:
        """Ask twice on a terminal; refuse rather than hang or read a password from a pipe."""
        if not sys.stdin.isatty():
            raise CommandError(
                "No terminal to ask for a password: set it with --password-from-env VAR."
            )
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not first:
            raise CommandError("The password cannot be empty.")
        return first
