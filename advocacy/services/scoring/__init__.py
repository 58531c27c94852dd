"""Advocacy potential: recompute the scores (all, or the contacts whose evidence changed), and
record an objection to profiling."""
