"""Endpoints for machines and other sites: the health check, the provider's webhook, the wall."""
