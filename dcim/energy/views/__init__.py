"""The Power & PUE page, its JSON twin and the CSV of its tables."""

from dcim.energy.views.export import export_csv
from dcim.energy.views.overview import overview, overview_api

__all__ = ["export_csv", "overview", "overview_api"]
