"""Pure business rules: standard library only; time, weights and thresholds come in as arguments."""
