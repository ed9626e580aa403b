"""Who may act: Operators (add/change on maintenance models); everyone else reads (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

ACT = "maintenance.change_maintenancewindow"
CREATE = "maintenance.add_maintenancewindow"
WORK = "maintenance.change_workorder"


def require(request: HttpRequest, perm: str, what: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(f"{what} needs the Operator role.")
