"""Typed errors. Each says what happened and, where it can, what to do next."""

from __future__ import annotations


class ProtegeError(Exception):
    """Base class of protege's errors."""


class CallSiteError(ProtegeError, TypeError):
    """A function cannot be a call site (raised at decoration time)."""


class TeacherError(ProtegeError):
    """The teacher could not answer (timeout, HTTP error, missing replay row...)."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


class OutputParseError(ProtegeError, ValueError):
    """An answer was not valid JSON for the call site's return type, even after the repair re-ask.

    ``kind`` is ``invalid_json`` or ``schema_invalid``; ``raw_text`` is the last answer as received.
    """

    def __init__(self, message: str, *, kind: str, raw_text: str, errors: list | None = None):
        super().__init__(message)
        self.kind = kind
        self.raw_text = raw_text
        self.errors = errors or []


class StoreError(ProtegeError):
    """The store could not be opened or migrated."""
