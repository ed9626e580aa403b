"""What telemetry announces to the layers above it, which it never imports.

``poll_stored`` is sent by ``telemetry.polling.store_result`` once a poll's readings are in
the store and its target's health is recorded, with ``target`` (a CollectionTarget) and
``result`` (a PollResult). Alerting connects to it in ``AlertsConfig.ready()``; energy or
any other app may too. Receivers run in the ingesting worker, so they must be quick.

``late_data`` is sent by the store's rollup job when samples arrived for buckets it had
already rolled (an agent that buffered while cut off, a backfill), with ``series_ids``
(every series of the sets concerned) and ``since`` (the earliest such 5-minute bucket):
whatever keeps figures derived from the samples (the energy ledger) recomputes from there.
Sent inside the job's transaction.
"""

from django.dispatch import Signal

poll_stored = Signal()
late_data = Signal()
