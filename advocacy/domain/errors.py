"""The refusals every layer shares, by kind: a service raises one, each edge maps its TYPE to an
answer (the API: 403, 404, 409, 422; the pages: 403, 404 or the form again with the reason).

No edge reads the English text to decide: the text is for people, the type is for code.
"""

from __future__ import annotations


class RuleError(ValueError):
    """A refusal from a business rule: a catalogue message plus the values to put into it.

    `str(error)` is the English text; the web shows `_(error.message, **error.params)` so the
    message is translated before the values go in.
    """

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


class NotAllowed(RuleError):
    """The user's role lets them see this, but not change it."""


class Conflict(RuleError):
    """The change clashes with something that exists (a name or external id in use)."""


class NotFound(LookupError):
    """The row asked for does not exist."""
