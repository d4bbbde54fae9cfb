"""The error a webhook answers with an HTTP status instead of processing the request."""

from __future__ import annotations


class Rejected(Exception):
    """A request that is answered with an HTTP error and not processed."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason
