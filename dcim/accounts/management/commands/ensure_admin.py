"""Create (or align) the demo admin: DCIM_ADMIN_USER / DCIM_ADMIN_PASSWORD, else generated.

A generated password is printed once, when the user is created; it is stored nowhere else.
When DCIM_ADMIN_PASSWORD is set, the existing user's password is set to it on every run, so
the environment stays the source of truth.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from dcim.accounts.roles import ADMIN, assign_role


class Command(BaseCommand):
    help = "Create the demo admin user from DCIM_ADMIN_USER / DCIM_ADMIN_PASSWORD."

    def handle(self, *args, **options):
        username = os.environ.get("DCIM_ADMIN_USER") or "admin"
        password = os.environ.get("DCIM_ADMIN_PASSWORD") or ""
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            generated = not password
            password = password or secrets.token_urlsafe(12)
            user = User.objects.create_superuser(username=username, email="", password=password)
            assign_role(user, ADMIN)
            shown = password if generated else "(from DCIM_ADMIN_PASSWORD)"
            self.stdout.write(f"demo admin created: user {username}, password {shown}")
            if generated:
                self.stdout.write("  (generated: note it now, it is not shown again)")
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
            self.stdout.write(f"demo admin {username}: password set from DCIM_ADMIN_PASSWORD")
        else:
            self.stdout.write(
                f"demo admin {username} exists (reset its password with: "
                f"python manage.py changepassword {username})"
            )
