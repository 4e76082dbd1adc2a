"""Run slash commands through discord.py's real CommandTree with real interaction payloads.

No network: the webhook adapter (which carries every interaction response and followup) is
replaced by one that records what would have been sent. Used by the cog tests and `bench/`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands
from discord.webhook import async_ as webhook_async

from bot.sender import ReplyAdapter

APPLICATION_ID = 1000
GUILD_ID = 111
CHANNEL_ID = 222
MEMBER_ID, MODERATOR_ID = 333, 444
MANAGE_GUILD = 1 << 5
BASIC_PERMS = (1 << 10) | (1 << 11) | (1 << 31)  # view channel, send messages, use application commands
_ids = itertools.count(10_000)


@dataclass
class Sent:
    """One request the bot made through the webhook adapter."""

    method: str
    path: str
    payload: dict[str, Any] | None
    query: dict[str, Any] = field(default_factory=dict)


class RecordingAdapter(ReplyAdapter):
    """LiveTally's adapter, recording instead of sending; answers like Discord would for the
    routes interactions use."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []

    async def request(self, route, session, *, payload=None, multipart=None, params=None, **_: Any) -> Any:
        if payload is None and multipart:
            import json

            payload = json.loads(multipart[0]["value"])
        path = route.url.split("/api/v10", 1)[-1].split("?", 1)[0]
        self.sent.append(Sent(route.method, path, payload, dict(params or {})))
        if path.endswith("/callback"):
            return None  # 204 No Content: the callback is sent without `with_response`
        return _message(payload)


def _message(payload: dict[str, Any] | None) -> dict[str, Any]:
    """A message object as Discord returns it for a body the bot sent."""
    message = dict(payload or {})
    message.update(id=str(next(_ids)), channel_id=str(CHANNEL_ID), type=0, author=_user(APPLICATION_ID, "LiveTally"),
                   timestamp="2026-01-01T00:00:00+00:00", tts=False, mention_everyone=False, mentions=[],
                   mention_roles=[], attachments=[], embeds=message.get("embeds", []), pinned=False,
                   content=message.get("content", ""))
    return message


@dataclass
class Result:
    """What one invocation sent: the initial response (or defer) and any followups."""

    sent: list[Sent] = field(default_factory=list)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Message bodies users see: callback data of type 4/7 and followups/edits, in order."""
        out = []
        for s in self.sent:
            if s.path.endswith("/callback") and s.payload and s.payload.get("type") in (4, 7):
                out.append(s.payload.get("data", {}))
            elif not s.path.endswith("/callback") and s.payload is not None:
                out.append(s.payload)
        return out

    @property
    def text(self) -> str:
        """All content, embed titles, descriptions and field values, joined: for assertions."""
        parts = []
        for m in self.messages:
            parts.append(m.get("content") or "")
            for e in m.get("embeds") or []:
                parts += [e.get("title", ""), e.get("description", "")]
                parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
                parts.append((e.get("footer") or {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    @property
    def ephemeral(self) -> bool:
        first = self.sent[0].payload or {} if self.sent else {}
        flags = (first.get("data") or {}).get("flags", 0)
        return bool(flags & 64)

    @property
    def choices(self) -> list[dict[str, Any]]:
        for s in self.sent:
            if s.payload and s.payload.get("type") == 8:
                return s.payload["data"]["choices"]
        return []

    @property
    def responses(self) -> int:
        """How many initial responses (callbacks) were sent: must be exactly one."""
        return sum(s.path.endswith("/callback") for s in self.sent)


def _user(user_id: int, name: str) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name, "avatar": None}


@dataclass
class _Failure:
    method: str
    path_prefix: str
    status: int
    code: int
    count: int


class FakeChannelHTTP:
    """Stands in for `bot.http.request` on channel routes: records, answers, or fails on request."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.failures: list[_Failure] = []
        self.messages: dict[int, dict[str, Any]] = {}

    def fail_next(self, method: str, path_prefix: str, status: int, code: int, count: int = 1) -> None:
        self.failures.append(_Failure(method, path_prefix, status, code, count))

    async def request(self, route, **kwargs: Any) -> Any:
        path = route.url.split("/api/v10", 1)[-1]
        payload = kwargs.get("json")
        self.sent.append(Sent(route.method, path, payload))
        for failure in self.failures:
            if failure.count and route.method == failure.method and path.startswith(failure.path_prefix):
                failure.count -= 1
                response = type("Response", (), {"status": failure.status, "reason": "error"})()
                error = {404: discord.NotFound, 403: discord.Forbidden}.get(failure.status, discord.HTTPException)
                raise error(response, {"code": failure.code, "message": f"error {failure.code}"})
        if route.method == "DELETE":
            return None
        message = _message(payload)
        if route.method == "PATCH":
            message["id"] = path.rsplit("/", 1)[-1]
        message["channel_id"] = path.split("/")[2]
        self.messages[int(message["id"])] = message
        return message


class Harness:
    """A bot whose command tree is driven by payloads shaped exactly like Discord's."""

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot
        self.adapter = RecordingAdapter()
        self.http = FakeChannelHTTP()
        bot.http.request = self.http.request  # type: ignore[method-assign]
        bot._connection.application_id = APPLICATION_ID
        bot._connection.user = discord.ClientUser(state=bot._connection, data={**_user(APPLICATION_ID, "LiveTally"), "bot": True})

    def install(self) -> None:
        """Route interaction traffic to the recorder (call inside the running test's context)."""
        webhook_async.async_context.set(self.adapter)

    def find(self, path: str) -> app_commands.Command | app_commands.Group:
        names = path.strip("/").split()
        command = self.bot.tree.get_command(names[0])
        for name in names[1:]:
            assert isinstance(command, app_commands.Group), path
            command = command.get_command(name)
        assert command is not None, f"no command /{path}"
        return command

    def payload(self, path: str, options: Mapping[str, Any], *, moderator: bool = False, guild: bool = True,
                focused: str | None = None) -> dict[str, Any]:
        command = self.find(path)
        data_options = [self._option(command, name, value, focused == name) for name, value in options.items()]
        root = command
        while root.parent is not None:
            root = root.parent
        data = {"id": str(abs(hash(root)) % 10**18), "name": root.name, "type": 1}
        data["options"] = _nest(command, data_options)
        channels = [o for o in data_options if o["type"] == discord.AppCommandOptionType.channel.value]
        if channels:
            data["resolved"] = {"channels": {o["value"]: {
                "id": o["value"], "type": 0, "name": f"channel-{o['value']}", "guild_id": str(GUILD_ID),
                "permissions": str(BASIC_PERMS), "parent_id": None, "nsfw": False, "position": 0,
                "rate_limit_per_user": 0, "topic": None, "last_message_id": None, "flags": 0} for o in channels}}
        if guild:
            data["guild_id"] = str(GUILD_ID)
        user_id = MODERATOR_ID if moderator else MEMBER_ID
        perms = BASIC_PERMS | (MANAGE_GUILD if moderator else 0)
        payload: dict[str, Any] = {
            "id": str(next(_ids)), "application_id": str(APPLICATION_ID), "type": 4 if focused else 2,
            "token": f"token-{next(_ids)}", "version": 1, "data": data, "locale": "en-US",
            "app_permissions": str(BASIC_PERMS | (1 << 14)), "entitlements": [], "attachment_size_limit": 10485760, "authorizing_integration_owners": {},
            "channel_id": str(CHANNEL_ID),
            "channel": {"id": str(CHANNEL_ID), "type": 0, "name": "general", "guild_id": str(GUILD_ID), "position": 0,
                        "permission_overwrites": [], "nsfw": False, "parent_id": None, "rate_limit_per_user": 0,
                        "topic": None, "last_message_id": None, "flags": 0, "permissions": str(perms)} if guild
            else {"id": str(CHANNEL_ID), "type": 1, "flags": 0, "last_message_id": None, "recipients": [_user(user_id, "member")]},
        }
        if guild:
            payload["guild_id"] = str(GUILD_ID)
            payload["guild_locale"] = "en-US"
            payload["member"] = {"user": _user(user_id, "mod" if moderator else "member"), "roles": [], "permissions": str(perms),
                                 "joined_at": "2025-01-01T00:00:00+00:00", "deaf": False, "mute": False, "flags": 0}
        else:
            payload["user"] = _user(user_id, "member")
            payload["context"] = 1
        return payload

    @staticmethod
    def _option(command: app_commands.Command, name: str, value: Any, focused: bool) -> dict[str, Any]:
        param = command._params.get(name)
        option_type = param.type.value if param is not None else discord.AppCommandOptionType.string.value
        if option_type == discord.AppCommandOptionType.channel.value:
            value = str(value)
        option: dict[str, Any] = {"name": name, "type": option_type, "value": value}
        if focused:
            option["focused"] = True
            option["type"] = discord.AppCommandOptionType.string.value if option_type == 3 else option_type
        return option

    async def run(self, path: str, *, moderator: bool = False, guild: bool = True, focused: str | None = None,
                  **options: Any) -> Result:
        """Invoke `/path` with `options` exactly as the gateway would, and wait for it to finish."""
        payload = self.payload(path, options, moderator=moderator, guild=guild, focused=focused)
        interaction = discord.Interaction(data=payload, state=self.bot._connection)
        before = len(self.adapter.sent)
        try:
            await self.bot.tree._call(interaction)
        except app_commands.AppCommandError as error:
            await self.bot.tree._dispatch_error(interaction, error)
        await asyncio.sleep(0)
        return Result(self.adapter.sent[before:])


def _nest(command: app_commands.Command, options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wrap leaf options in their subcommand / group nodes, as Discord sends them."""
    chain = []
    node: app_commands.Command | app_commands.Group | None = command
    while node is not None and node.parent is not None:
        chain.append(node)
        node = node.parent
    for i, part in enumerate(chain):
        options = [{"type": 1 if i == 0 else 2, "name": part.name, "options": options}]
    return options
