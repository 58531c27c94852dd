"""Outgoing webhooks: endpoints, the events the use cases record, and their delivery."""
