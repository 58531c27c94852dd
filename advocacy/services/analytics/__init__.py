"""Partner-journey analytics: one use case per question."""
