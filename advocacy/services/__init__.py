"""Use cases: load rows, ask the domain, write, commit once."""
