"""Plain values the storage layer returns and accepts, and the size limits the schema enforces.

The limits are the CHECK constraints of `migrations/0001_initial.sql`, so callers can refuse
bad input with a clear message before the database refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

QuestionKind = Literal["answer", "estimate", "unknown"]
ExplainerStatus = Literal["active", "gone"]

QUESTION_KINDS: frozenset[str] = frozenset(get_args(QuestionKind))

RATE_KEY_MAX = 64
RATE_VALUE_MAX = 100
TOPIC_MAX = 64
CONTENT_HASH_MAX = 128
GONE_REASON_MAX = 200
FAQ_NAME_MAX = 100  # an FAQ name is offered as an autocomplete value, which Discord caps at 100
FAQ_QUESTION_MAX = 300
FAQ_ANSWER_MAX = 4000
QUESTION_MAX = 500


@dataclass(frozen=True, slots=True)
class Explainer:
    """A standing message the bot posted and keeps up to date."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int
    topic: str
    content_hash: str
    status: ExplainerStatus
    failures: int
    created_at: int
    edited_at: int | None
    gone_reason: str | None


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """A server's own question and answer; `name` is unique per server, ignoring ASCII case."""

    id: int
    guild_id: int
    name: str
    question: str
    answer: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class LoggedQuestion:
    """One question someone asked; `guild_id` is None for DMs and the command line. No user ids."""

    guild_id: int | None
    question: str
    topic: str | None
    kind: QuestionKind
    asked_at: int
