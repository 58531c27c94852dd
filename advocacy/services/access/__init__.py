"""Who may come in: staff sign-in and users, API tokens, the links clients use without signing in."""
