"""Exceptions of the Hekaton SDK.

Every message is written for the person who reads the stage log: it says what went wrong,
where, and what to do about it. :func:`hekaton.host.main` turns these exceptions into a
message on stderr and exit status 1.
"""

from __future__ import annotations


class HekatonError(Exception):
    """Base class of every error the SDK reports to a stage log.

    ``details`` is extra text printed after the message (a traceback, a listing).
    """

    def __init__(self, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class ContextError(HekatonError):
    """The stage's environment is not what the contract promises (a daemon or host bug,
    or an entrypoint run by hand without the variables)."""


class SubmissionError(HekatonError):
    """The participant's code failed: it could not be imported, lacks a class, raised, or
    returned something that breaks the contract. The submission is at fault, not the host."""


class FormatError(HekatonError):
    """A file exchanged between stages (predictions, metrics, a manifest) is malformed."""
