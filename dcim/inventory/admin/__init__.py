"""Django admin for every inventory model, one module per model group.

Importing the modules registers their ModelAdmins (admin.autodiscover imports this package).
"""

from dcim.inventory.admin import credential, device, network, power, site

__all__ = ["credential", "device", "network", "power", "site"]
