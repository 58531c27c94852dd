"""The only modules that talk to outside libraries' clients (SendGrid, OIDC, password hashing)."""
