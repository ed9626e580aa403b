"""Energy's models: meters and what they measure, the ledger, site factors, tenants."""

from dcim.energy.models.factors import (
    CarbonFactor,
    RenewableCertificate,
    Tariff,
    TariffBand,
)
from dcim.energy.models.ledger import BoundaryHour, EnergyDay, EnergyHour, LedgerState
from dcim.energy.models.meter import Category, Meter, MeterKind
from dcim.energy.models.tenant import Allocation, Tenant

__all__ = [
    "Allocation",
    "BoundaryHour",
    "CarbonFactor",
    "Category",
    "EnergyDay",
    "EnergyHour",
    "LedgerState",
    "Meter",
    "MeterKind",
    "RenewableCertificate",
    "Tariff",
    "TariffBand",
    "Tenant",
]
