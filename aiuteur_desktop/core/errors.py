"""Typed errors whose `user_message` is written for a filmmaker, not a developer."""

from __future__ import annotations


class AiuteurError(Exception):
    """Base class: `user_message` says what happened and what to do next."""

    def __init__(self, user_message: str, *, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail


class ProjectError(AiuteurError):
    """A project bundle cannot be created, opened or changed."""


class SchemaTooNew(ProjectError):
    """The bundle was written by a newer Aiuteur; opening it could damage it."""


class GateClosed(AiuteurError):
    """A stage gate forbids the action (e.g. a stage is not locked yet)."""


class BranchRequired(AiuteurError):
    """The action must happen on a new Story Timeline (PRD §7.2)."""

    def __init__(self, user_message: str, *, suggested_name: str, detail: str = "") -> None:
        super().__init__(user_message, detail=detail)
        self.suggested_name = suggested_name


class SecretStoreError(AiuteurError):
    """The OS keyring is unavailable or refused the operation."""


class ProviderError(AiuteurError):
    """A model provider failed; `kind` says whether retrying can help."""

    RETRYABLE = frozenset({"rate_limited", "server", "timeout", "network", "broken"})
    #: After these the provider may have taken the request (and bill it): a read timeout, a
    #: connection or body cut off, anything unexpected — and a server error (5xx), which a
    #: gateway in front of the provider answers after the provider accepted it (a 502/504
    #: page), or the provider itself after acting on it. Only a connection that never opened
    #: ("network") and the provider's own refusals (429, the 4xx kinds) prove it did not.
    UNCERTAIN = frozenset({"timeout", "broken", "unknown", "server"})

    def __init__(
        self, kind: str, user_message: str, *, detail: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(user_message, detail=detail)
        self.kind = kind
        #: Seconds the provider asked us to wait (HTTP Retry-After), when it said.
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.kind in self.RETRYABLE

    @property
    def maybe_accepted(self) -> bool:
        """For a paid request: it may have been accepted (and charged) nonetheless."""
        return self.kind in self.UNCERTAIN
