"""Nurture: teaching each client, over time, what else the firm does — starting with what each
client knows the firm for (service-line awareness)."""
