"""The Power & PUE page, its JSON twin, the CSV of its tables, and the warming of its
cache that the ledger task runs."""

from dcim.energy.views.export import export_csv
from dcim.energy.views.overview import overview, overview_api
from dcim.energy.views.warming import warm, warm_sites

__all__ = ["export_csv", "overview", "overview_api", "warm", "warm_sites"]
