"""E-mail: queue every message into the outbox, dispatch it, take in the provider's events, consent."""
