from django.apps import AppConfig


def known_devices(device_ids: set[int]) -> set[int]:
    """Of these ids, the inventory's devices; all of them unless the setting asks.

    ``TELEMETRY_REFUSE_UNKNOWN_DEVICES`` (env; off by default because the store's tests and
    benchmarks write synthetic device ids; turn it on in production) refuses new series
    for a device id the inventory does not hold, so that a wrong or hostile id cannot grow
    the registry without bound. The per-device series cap holds either way.
    """
    from django.conf import settings

    if not getattr(settings, "TELEMETRY_REFUSE_UNKNOWN_DEVICES", False):
        return set(device_ids)
    from dcim.inventory.models import Device

    return set(Device.objects.filter(pk__in=device_ids).values_list("pk", flat=True))


class TelemetryConfig(AppConfig):
    name = "telemetry"
    verbose_name = "Telemetry"

    def ready(self) -> None:
        # The store is a leaf (ADR 0017): this layer tells it which devices exist.
        from telemetry.store import registry

        registry.set_device_check(known_devices)
