"""What the staff web interface and the JSON API share: the access policy (sessions and bearer
tokens), the Flask extensions, request validation messages and problem+json error answers.
`web` and `api` both import from here and never from each other."""
