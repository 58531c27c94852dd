"""Queries behind the analytics questions (docs/metrics.md)."""
