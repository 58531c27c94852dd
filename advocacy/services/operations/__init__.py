"""Running the product: the jobs processes' heartbeats, the health report, the leader lease."""
