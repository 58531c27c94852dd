"""Audit log use cases: the retention purge and the CSV export of the log."""
