"""Collector profiles as data: SNMP OID maps (``snmp``), and other protocols' maps beside it."""
