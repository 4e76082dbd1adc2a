"""Logging set-up: one format, and secrets scrubbed from every line at every level.

Besides the bot token, discord.py's DEBUG lines carry interaction and webhook tokens (valid for
follow-ups) in URL paths (`/interactions/<id>/<token>/callback`, `/webhooks/<id>/<token>/…`) and in
logged payloads (`'token': '…'`); those are redacted too.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

REDACTED = "[redacted]"

# Substrings a line must contain before the (slower) pattern below is tried on it.
_TOKEN_HINTS = ("token", "/interactions/", "/webhooks/")
_TOKEN_RE = re.compile(
    r"(?P<path>/(?:interactions|webhooks)/\d+/)[^/\s?#'\"\\]+"
    r"|(?P<key>\\?['\"](?:\w*_)?token\\?['\"]\s*:\s*\\?['\"])[^'\"\\]+"
)


def _keep_prefix(match: re.Match[str]) -> str:
    return (match.group("path") or match.group("key")) + REDACTED


def redact_tokens(text: str) -> str:
    """Interaction and webhook tokens in URL paths and in `token` fields of payloads, redacted."""
    if not any(hint in text for hint in _TOKEN_HINTS):
        return text
    return _TOKEN_RE.sub(_keep_prefix, text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes every secret, including from tracebacks. Runs only for
    records a handler actually emits."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return redact_tokens(text)


def configure_logging(level: str, secrets: Iterable[str] = (), stream=None) -> None:
    """Route every logger (discord.py's included) through one redacting handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("discord").setLevel(level)
