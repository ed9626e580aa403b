"""Backups: the whole database (inventory, configuration, the store's partitions) dumped
with pg_dump, verified, and restored with pg_restore into a database of your choosing."""
