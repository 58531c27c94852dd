"""Partner-journey analytics: the questions a firm asks of its own data (docs/metrics.md)."""
