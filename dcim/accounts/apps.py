from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "dcim.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # roles imports auth's models: they load only once the app registry is ready.
        from django.contrib.auth.signals import user_logged_in

        from dcim.accounts.roles import sync_roles_after_migrate
        from dcim.accounts.sessions import stamp_sign_in

        # The session's absolute and idle clocks start at sign-in (sessions.py).
        user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")

        # Apps added later bring new models; their permissions join the roles on migrate.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
