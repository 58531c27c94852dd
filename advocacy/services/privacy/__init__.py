"""Data rights: what the firm holds about a person, handed over on request (docs/guide.md)."""
