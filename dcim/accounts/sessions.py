"""Session limits and the headers every signed-in response carries.

Django's session lasts ``SESSION_COOKIE_AGE`` from its last save, so it slides as long as
anything writes to it. An operator console left signed in on a shared NOC screen is the
risk here, so two limits are enforced on the server side:

- absolute: ``SESSION_ABSOLUTE_S`` (12 h) after sign-in, whatever happens;
- idle: ``SESSION_IDLE_S`` (30 min) without a page view or an action. The live refresh
  (JSON polls every few seconds) does not count as activity, or an open tab would never
  be idle. The stamp is written at most once a minute, not on every request.

Signed-in pages and JSON carry ``Cache-Control: private, no-store`` (no shared or disk
cache keeps operational data after sign-out), and every response a Permissions-Policy
that turns off browser features the console never uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

SIGNED_IN_AT = "dcim_signed_in_at"
ACTIVE_AT = "dcim_active_at"
STAMP_EVERY_S = 60
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


class SessionLimitsMiddleware:
    """Ends sessions past their absolute or idle limit; sets the cache and feature headers.
    Sits after AuthenticationMiddleware and before LoginRequiredMiddleware, so an ended
    session is sent to the login page like any signed-out visitor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        if signed_in and self._expired(request):
            logout(request)
            signed_in = False
        response = self.get_response(request)
        if signed_in and request.user.is_authenticated:
            self._stamp(request, response)
            if "no-store" not in response.get("Cache-Control", ""):
                patch_cache_control(response, private=True, no_store=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    @staticmethod
    def _expired(request: HttpRequest) -> bool:
        now = time.time()
        session = request.session
        # Stamped at sign-in (stamp_sign_in); a session from before this code gets it now.
        signed_in_at = session.get(SIGNED_IN_AT) or session.setdefault(SIGNED_IN_AT, now)
        active_at = session.get(ACTIVE_AT, signed_in_at)
        absolute = getattr(settings, "SESSION_ABSOLUTE_S", 12 * 3600)
        idle = getattr(settings, "SESSION_IDLE_S", 30 * 60)
        return now - signed_in_at > absolute or now - active_at > idle

    @staticmethod
    def _stamp(request: HttpRequest, response: HttpResponse) -> None:
        """A page view or an action is activity; a JSON poll is not."""
        is_page = response.get("Content-Type", "").startswith("text/html")
        if not (is_page or request.method not in ("GET", "HEAD")):
            return
        now = time.time()
        if now - request.session.get(ACTIVE_AT, 0) >= STAMP_EVERY_S:
            request.session[ACTIVE_AT] = now


def stamp_sign_in(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """user_logged_in: both clocks start at sign-in, so the first requests write nothing."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = request.session[ACTIVE_AT] = now
