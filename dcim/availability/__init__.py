"""High availability and DR."""
