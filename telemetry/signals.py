"""What telemetry announces to the layers above it, which it never imports.

``poll_stored`` is sent by ``telemetry.polling.store_result`` once a poll's readings are in
the store and its target's health is recorded, with ``target`` (a CollectionTarget) and
``result`` (a PollResult). Alerting connects to it in ``AlertsConfig.ready()``; energy or
any other app may too. Receivers run in the ingesting worker, so they must be quick.
"""

from django.dispatch import Signal

poll_stored = Signal()
