"""What the stand-in records for tests to read: requests, messages, and interactions."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from multidict import CIMultiDict

from tests.e2e.world import Json

EPHEMERAL = 1 << 6
LOADING = 1 << 7  # a deferred response's "thinking..." message

# Interaction types, and the callback types Discord accepts for each.
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 2, 3, 4
MESSAGE_WITH_SOURCE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: (MESSAGE_WITH_SOURCE, DEFERRED_MESSAGE, MODAL),
    MESSAGE_COMPONENT: (MESSAGE_WITH_SOURCE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL),
    AUTOCOMPLETE: (AUTOCOMPLETE_RESULT,),
}


class Changes:
    """Lets tests wait for recorded state to change, without polling."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self._event.clear()
                await self._event.wait()


@dataclass(eq=False)
class RecordedRequest:
    """One REST request and the stand-in's answer."""

    method: str
    path: str  # relative to /api/v10, without the query
    query: dict[str, str]
    headers: CIMultiDict[str]
    time: float  # time.monotonic() when the stand-in handled it (after any injected delay)
    json: Any = None  # the parsed body
    status: int = 0
    response: Any = None
    matched: bool = True  # False for a route the stand-in does not know
    spec_errors: list[str] = field(default_factory=list)

    @property
    def error_code(self) -> int | None:
        """Discord's JSON error code in the answer, if it was an error."""
        return self.response.get("code") if self.status >= 400 and isinstance(self.response, dict) else None


@dataclass(eq=False)
class Message:
    """A message the bot created: in a channel, or as an interaction response or followup."""

    id: int
    channel_id: int
    flags: int = 0
    content: str = ""
    embeds: list[Json] = field(default_factory=list)
    components: list[Json] = field(default_factory=list)
    allowed_mentions: Json | None = None
    created_at: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))
    edited_at: datetime.datetime | None = None
    edits: int = 0
    deleted: bool = False
    old: bool = False  # older than an hour and out of edits: Discord answers edits with 30046

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    def update(self, body: Json) -> None:
        """Apply the message fields of a create or edit body; content ends the "thinking..." state."""
        for key in ("content", "embeds", "components"):
            if key in body:
                setattr(self, key, body[key] or type(getattr(self, key))())
                self.flags &= ~LOADING
        if "allowed_mentions" in body:
            self.allowed_mentions = body["allowed_mentions"]

    def payload(self, author: Json) -> Json:
        return {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": 0,
            "author": author,
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "flags": self.flags,
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": self.created_at.isoformat(),
            "edited_timestamp": self.edited_at.isoformat() if self.edited_at else None,
        }


@dataclass(eq=False)
class Interaction:
    """One injected interaction and everything the bot did with it."""

    id: int
    token: str
    type: int
    channel_id: int
    payload: Json  # the INTERACTION_CREATE data sent to the bot
    created_at: float  # time.monotonic() when it was sent; the 3 s deadline runs from here
    changes: Changes = field(repr=False)
    requests: list[RecordedRequest] = field(repr=False)  # the stand-in's log, where callbacks are found
    message: Message | None = None  # the message a component interaction came from
    response: Json | None = None  # the accepted initial response (callback body)
    original: Message | None = None  # the message the initial response created
    followups: list[Message] = field(default_factory=list)

    @property
    def callbacks(self) -> list[RecordedRequest]:
        """Every callback request for this interaction, accepted or not, in the order handled."""
        prefix = f"/interactions/{self.id}/"
        return [request for request in self.requests if request.path.startswith(prefix)]

    @property
    def choices(self) -> list[Json] | None:
        """The choices of an accepted autocomplete result."""
        if self.response is None or self.response.get("type") != AUTOCOMPLETE_RESULT:
            return None
        choices: list[Json] = self.response["data"]["choices"]
        return choices

    @property
    def reply(self) -> Message | None:
        """What the user sees: the original response once past "thinking...", else the first followup."""
        if self.original is not None and not self.original.loading:
            return self.original
        return self.followups[0] if self.followups else None

    async def wait_response(self, timeout: float = 5.0) -> Json:
        """The accepted initial response, once there is one."""
        await self.changes.wait_until(lambda: self.response is not None, timeout)
        assert self.response is not None
        return self.response

    async def wait_reply(self, timeout: float = 5.0) -> Message:
        """The reply (see ``reply``), once there is one."""
        await self.changes.wait_until(lambda: self.reply is not None, timeout)
        assert self.reply is not None
        return self.reply
