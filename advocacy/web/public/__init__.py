"""Endpoints for machines and other sites: the health check, the provider's webhook, the wall."""

from flask import Blueprint

from advocacy.web.public import health, wall, webhooks

BLUEPRINTS: tuple[Blueprint, ...] = (health.bp, webhooks.bp, wall.bp)
