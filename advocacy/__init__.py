"""advocacy: keep professional-services clients after the sale."""

from advocacy.app import create_app

__all__ = ["create_app"]
