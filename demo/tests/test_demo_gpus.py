"""The demo inventory and the simulated fleet name GPUs alike, so the NVML collector
reconciles every demo host with the inventory."""

from demo.inventory import catalog, layout
from telemetry.collectors.nvml import identify, reconcile
from telemetry.simulators import nvml as standin


def test_gpu_uuids_are_the_demo_inventorys():
    assert standin.gpu_uuid("H1-A01-DGX01", 0) == "GPU-d2895c47-d692-5b2f-8dc2-ac046860b2cd"
    server = next(d for d in layout.devices(layout.racks()) if d.spec is catalog.DGX_H100)
    nvml = standin.SimulatedNvml(server.name)
    nvml.nvmlInit()
    for row, handle in zip(layout.gpus(server), nvml.devices, strict=True):
        assert nvml.nvmlDeviceGetUUID(handle) == row["uuid"]
        assert nvml.nvmlDeviceGetSerial(handle) == row["serial"]
        assert nvml.nvmlDeviceGetPciInfo(handle).busId.decode() == row["pci_bus_id"]
        assert nvml.nvmlDeviceGetName(handle) == row["model"]


def test_identify_and_reconcile_with_the_demo_inventory_by_uuid():
    server = next(d for d in layout.devices(layout.racks()) if d.spec is catalog.DGX_H100)
    inventory = layout.gpus(server)
    sim = standin.SimulatedNvml(
        server.name, clock=lambda: 1_700_000_000.0, serials=[g["serial"] for g in inventory]
    )
    present = identify(sim)
    report = reconcile(present, inventory)
    assert report["ok"]
    assert [m["by"] for m in report["matched"]] == ["uuid"] * 8
    assert report["unknown"] == [] and report["missing"] == []
