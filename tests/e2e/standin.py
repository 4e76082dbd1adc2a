"""A local Discord stand-in: REST under /api/v10 and a gateway websocket, on 127.0.0.1.

A bot reaches it by setting discord.py's ``Route.BASE`` to ``api_base`` and
``DiscordWebSocket.DEFAULT_GATEWAY`` to ``gateway_url`` (see bare_bot.py). Tests drive it with
``inject_command``/``inject_autocomplete``/``inject_component`` and the fault controls, and read
``requests``, ``messages`` and each ``Interaction``. It holds a bot to Discord's own rules: the
3 s first-response deadline (10062), one initial response (40060), command-schema and message
limits (50035), missing permissions (50013), unknown messages (10008), the old-message edit
limit (30046). Any other route is a 404 with code 0, and ``traffic_problems()`` lists it.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from http import HTTPStatus
from types import TracebackType
from typing import Any

from aiohttp import WSMsgType, web
from multidict import CIMultiDict

from tests.e2e import rules
from tests.e2e.models import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    DEFERRED_MESSAGE,
    EPHEMERAL,
    LOADING,
    MESSAGE_COMPONENT,
    MESSAGE_WITH_SOURCE,
    UPDATE_MESSAGE,
    Changes,
    Interaction,
    Message,
    RecordedRequest,
)
from tests.e2e.openapi import ApiSpec, mention_problems
from tests.e2e.world import APPLICATION_ID, OWNER_ID, SEND_MESSAGES, Channel, Json, OptionValue, PersonKey, World

RESPONSE_DEADLINE = 3.0  # seconds from an interaction to its first response
TOKEN_LIFETIME = 15 * 60.0  # seconds an interaction token takes followups and edits
DEFAULT_HEARTBEAT_INTERVAL = 41.25
DISCORD_EPOCH_MS = 1_420_070_400_000

_APPLICATION = r"/applications/(?P<application_id>\d+)"
_WEBHOOK = r"/webhooks/(?P<application_id>\d+)/(?P<token>[^/]+)"
_WEBHOOK_MESSAGE = _WEBHOOK + r"/messages/(?P<message>@original|\d+)"
_CHANNEL = r"/channels/(?P<channel_id>\d+)"
_CHANNEL_MESSAGE = _CHANNEL + r"/messages/(?P<message_id>\d+)"


class Op(IntEnum):
    """Gateway opcodes."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class DiscordError(Exception):
    """An error answer in Discord's shape."""

    def __init__(self, status: int, body: Json, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status, self.body, self.headers = status, body, dict(headers or {})

    @classmethod
    def of(cls, status: int, code: int, message: str) -> DiscordError:
        return cls(status, {"message": message, "code": code})


@dataclass(eq=False)
class _Fault:
    """An injected failure (``status``) or delay (``delay``) for the next ``count`` matching requests."""

    method: str
    path: re.Pattern[str]
    count: int
    status: int = 0
    code: int = 0
    retry_after: float = 0.0
    delay: float = 0.0

    def take(self, method: str, path: str) -> bool:
        if self.count > 0 and method == self.method and self.path.fullmatch(path):
            self.count -= 1
            return True
        return False

    def error(self) -> DiscordError:
        if self.status != 429:
            return DiscordError.of(self.status, self.code, f"{self.status}: {HTTPStatus(self.status).phrase}")
        headers = {
            "Retry-After": str(max(1, round(self.retry_after))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
            "X-RateLimit-Bucket": "stand-in",
            "X-RateLimit-Scope": "user",
            "Via": "1.1 google",  # discord.py takes a 429 without Via for a Cloudflare ban
        }
        body = {"message": "You are being rate limited.", "retry_after": self.retry_after, "global": False}
        return DiscordError(429, body, headers)


class _Connection:
    """One gateway websocket; with ``compress=zlib-stream`` its frames share one zlib stream."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self.session: _Session | None = None
        self._compressor = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()

    async def send(self, payload: Json) -> None:
        text = json.dumps(payload)
        async with self._lock:
            if self._compressor is None:
                await self.ws.send_str(text)
            else:
                data = self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)


@dataclass(eq=False)
class _Session:
    id: str
    events: list[Json] = field(default_factory=list)  # every dispatch, kept for replay on RESUME
    connection: _Connection | None = None


Handler = Callable[..., Awaitable[Any]]


class StandIn:
    """The stand-in server; use as ``async with StandIn() as discord: ...``."""

    def __init__(
        self,
        *,
        token: str = "stand-in-token",
        heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL,
        spec: ApiSpec | None = None,
    ) -> None:
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self.world = World()
        self.requests: list[RecordedRequest] = []
        self.messages: dict[int, dict[int, Message]] = {c.id: {} for g in self.world.guilds for c in g.channels}
        self.commands: dict[int | None, list[Json]] = {}  # registered; None: global, else by guild id
        self.interactions: list[Interaction] = []
        self.gateway_received: list[Json] = []  # every payload a client sent on the gateway
        self.replayed = 0  # dispatches re-sent on RESUME
        self._spec = spec
        self._changes = Changes()
        self._faults: list[_Fault] = []
        self._interactions_by_id: dict[int, Interaction] = {}
        self._interactions_by_token: dict[str, Interaction] = {}
        self._sessions: dict[str, _Session] = {}
        self._session: _Session | None = None  # the one most recently identified
        self._connections: set[_Connection] = set()
        self._last_id = 0
        self._runner: web.AppRunner | None = None
        self._address = ""
        routes: list[tuple[str, str, Handler]] = [
            ("GET", r"/users/@me", self._get_me),
            ("GET", r"/oauth2/applications/@me", self._get_application),
            ("GET", r"/gateway", self._get_gateway),
            ("GET", r"/gateway/bot", self._get_gateway_bot),
            ("GET", _APPLICATION + r"/commands", self._get_commands),
            ("PUT", _APPLICATION + r"/commands", self._put_commands),
            ("GET", _APPLICATION + r"/guilds/(?P<guild_id>\d+)/commands", self._get_commands),
            ("PUT", _APPLICATION + r"/guilds/(?P<guild_id>\d+)/commands", self._put_commands),
            ("POST", r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", _WEBHOOK, self._create_followup),
            ("GET", _WEBHOOK_MESSAGE, self._get_webhook_message),
            ("PATCH", _WEBHOOK_MESSAGE, self._edit_webhook_message),
            ("DELETE", _WEBHOOK_MESSAGE, self._delete_webhook_message),
            ("GET", _CHANNEL, self._get_channel),
            ("POST", _CHANNEL + r"/messages", self._create_message),
            ("GET", _CHANNEL_MESSAGE, self._get_message),
            ("PATCH", _CHANNEL_MESSAGE, self._edit_message),
            ("DELETE", _CHANNEL_MESSAGE, self._delete_message),
        ]
        self._routes = [(method, re.compile(pattern), handler) for method, pattern, handler in routes]

    # Lifecycle.

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle_rest)
        app.router.add_get("/ws", self._handle_gateway)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self._address = f"{host}:{port}"

    async def stop(self) -> None:
        for connection in list(self._connections):
            await connection.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> StandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        """The value for DISCORD_API_BASE."""
        return f"http://{self._address}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The value for DISCORD_GATEWAY_URL."""
        return f"ws://{self._address}/ws"

    # Waiting.

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds; it is checked again after every request and gateway payload."""
        await self._changes.wait_until(predicate, timeout)

    async def wait_connected(self, timeout: float = 10.0) -> None:
        """Wait until a bot has identified (READY and GUILD_CREATEs sent) and is connected."""
        await self.wait_until(lambda: self._session is not None and self._session.connection is not None, timeout)

    # Injecting interactions.

    async def inject_command(
        self,
        name: str,
        options: Mapping[str, OptionValue] | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user: PersonKey = "member",
    ) -> Interaction:
        """Someone runs a registered slash command; ``name`` may go down to a subcommand: "rates set".

        Options are plain values (a channel: its id); their types come from the registered schema.
        By default the first guild's first channel, run by the plain member.
        """
        channel = self._channel(guild_id, channel_id)
        data = self._command_data(name, options or {}, channel, user)
        return await self._inject(APPLICATION_COMMAND, data, channel, user)

    async def inject_autocomplete(
        self,
        name: str,
        options: Mapping[str, OptionValue],
        *,
        focused: str,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user: PersonKey = "member",
    ) -> Interaction:
        """Someone types into option ``focused`` of a registered command (its value: the partial input)."""
        channel = self._channel(guild_id, channel_id)
        data = self._command_data(name, options, channel, user, focused)
        return await self._inject(AUTOCOMPLETE, data, channel, user)

    async def inject_component(
        self, message: Message, custom_id: str, *, component_type: int = 2, user: PersonKey = "member"
    ) -> Interaction:
        """Someone uses a component (a button by default) on a message the bot sent."""
        channel = self.world.channel(message.channel_id)
        if channel is None:
            raise LookupError(f"message {message.id} is not in a known channel")
        data = {"custom_id": custom_id, "component_type": component_type}
        return await self._inject(MESSAGE_COMPONENT, data, channel, user, message)

    # Faults and changes made by hand.

    def fail_next(
        self, method: str, path: str, status: int, *, count: int = 1, retry_after: float = 1.0, code: int = 0
    ) -> None:
        """Answer the next ``count`` matching requests with ``status``.

        ``path`` is a regex the whole path after /api/v10 must match. A 429 carries Retry-After, X-RateLimit-* and Via headers and ``{message, retry_after,
        global: false}``, as Discord's do; any other status carries ``{message, code}``.
        """
        self._faults.append(_Fault(method, re.compile(path), count, status=status, code=code, retry_after=retry_after))

    def delay_next(self, method: str, path: str, seconds: float, *, count: int = 1) -> None:
        """Hold the next ``count`` matching requests for ``seconds`` before handling them."""
        self._faults.append(_Fault(method, re.compile(path), count, delay=seconds))

    async def close_websocket(self, code: int = 4000) -> None:
        """Close the bot's gateway connection; what is dispatched until it RESUMEs is replayed then."""
        session = self._session
        if session is None or session.connection is None:
            raise RuntimeError("no bot is connected to the gateway")
        connection, session.connection = session.connection, None
        await connection.ws.close(code=code)

    async def mark_channel_readonly(self, channel_id: int) -> None:
        """Deny the bot Send Messages in a channel: posts and edits there get 403, code 50013."""
        channel = self._known_channel(channel_id)
        channel.denied_to_bot |= SEND_MESSAGES
        if self._session is not None:
            await self._dispatch(self._session, "CHANNEL_UPDATE", self.world.channel_payload(channel))

    def delete_message(self, channel_id: int, message_id: int) -> None:
        """Someone deletes a message by hand: later edits get 404, code 10008."""
        self.messages[channel_id][message_id].deleted = True

    def mark_message_old(self, channel_id: int, message_id: int) -> None:
        """A message is old and out of edits: later edits get 400, code 30046."""
        self.messages[channel_id][message_id].old = True

    # Checks.

    def traffic_problems(self) -> list[str]:
        """Unknown routes, bodies that break Discord's spec, and message bodies that could ping."""
        problems: list[str] = []
        for request in self.requests:
            if not request.matched:
                problems.append(f"{request.method} {request.path}: unknown route")
            problems += request.spec_errors
            problems += mention_problems(request.method, request.path, request.json)
        return problems

    # REST.

    async def _handle_rest(self, request: web.Request) -> web.Response:
        method, path = request.method, "/" + request.match_info["tail"]
        raw = await request.read()
        for fault in self._faults:
            if fault.delay and fault.take(method, path):
                await asyncio.sleep(fault.delay)
        record = RecordedRequest(method, path, dict(request.query), CIMultiDict(request.headers), time.monotonic())
        headers: dict[str, str] = {}
        try:
            record.json = json.loads(raw) if raw else None
            if self._spec is not None:
                record.spec_errors = self._spec.validate_request(method, path, record.json)
            result = await self._route(record)
        except json.JSONDecodeError:
            record.status, record.response = 400, {"message": "The request body contains invalid JSON.", "code": 50109}
        except DiscordError as error:
            record.status, record.response, headers = error.status, error.body, error.headers
        else:
            record.status, record.response = (204 if result is None else 200), result
        self.requests.append(record)
        self._changes.notify()
        if record.status == 204:
            return web.Response(status=204, headers=headers)
        # Exactly "application/json", no charset: discord.py reads anything else as text.
        body = json.dumps(record.response).encode()
        return web.Response(body=body, status=record.status, headers=headers, content_type="application/json")

    async def _route(self, record: RecordedRequest) -> Any:
        for fault in self._faults:
            if fault.status and fault.take(record.method, record.path):
                raise fault.error()
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(record.path)
            if match and method == record.method:
                # Interaction callbacks and webhooks authenticate with the token in the path.
                needs_bot_token = not record.path.startswith(("/interactions/", "/webhooks/"))
                if needs_bot_token and record.headers.get("Authorization") != f"Bot {self.token}":
                    raise DiscordError.of(401, 0, "401: Unauthorized")
                params = {key: int(value) if key.endswith("_id") else value for key, value in match.groupdict().items()}
                return await handler(record, **params)
        record.matched = False
        raise DiscordError.of(404, 0, "404: Not Found")

    async def _get_me(self, record: RecordedRequest) -> Json:
        return self._bot_user() | {"verified": True, "mfa_enabled": False, "locale": "en-US", "flags": 0}

    async def _get_application(self, record: RecordedRequest) -> Json:
        owner = {"id": str(OWNER_ID), "username": "owner", "discriminator": "0", "global_name": "Owner", "avatar": None}
        return {
            "id": str(APPLICATION_ID),
            "name": self.world.people["bot"].username,
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner,
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "bot": self._bot_user(),
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.world.guilds),
        }

    async def _get_gateway(self, record: RecordedRequest) -> Json:
        return {"url": self.gateway_url}

    async def _get_gateway_bot(self, record: RecordedRequest) -> Json:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 86_400_000, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    async def _get_commands(self, record: RecordedRequest, application_id: int, guild_id: int | None = None) -> Any:
        self._check_scope(application_id, guild_id)
        return self.commands.get(guild_id, [])

    async def _put_commands(self, record: RecordedRequest, application_id: int, guild_id: int | None = None) -> Any:
        """Bulk overwrite; a command keeps its id while its name and type stay the same."""
        self._check_scope(application_id, guild_id)
        _raise_if(rules.command_list_errors(record.json))
        ids = {(command["type"], command["name"]): command["id"] for command in self.commands.get(guild_id, [])}
        registered = []
        for command in record.json:
            kind = command.get("type", rules.CHAT_INPUT)
            stored = command | {
                "id": ids.get((kind, command["name"])) or str(self._snowflake()),
                "application_id": str(APPLICATION_ID),
                "version": str(self._snowflake()),
                "type": kind,
                "default_member_permissions": command.get("default_member_permissions"),
                "nsfw": command.get("nsfw", False),
            }
            if guild_id is not None:
                stored["guild_id"] = str(guild_id)
            registered.append(stored)
        self.commands[guild_id] = registered
        return registered

    def _check_scope(self, application_id: int, guild_id: int | None) -> None:
        guild_ids = {guild.id for guild in self.world.guilds}
        if application_id != APPLICATION_ID or (guild_id is not None and guild_id not in guild_ids):
            raise DiscordError.of(403, 50001, "Missing Access")

    async def _callback(self, record: RecordedRequest, interaction_id: int, token: str) -> Json | None:
        interaction = self._interactions_by_id.get(interaction_id)
        if interaction is None or interaction.token != token:
            raise DiscordError.of(404, 10062, "Unknown interaction")
        if interaction.response is not None:
            raise DiscordError.of(400, 40060, "Interaction has already been acknowledged.")
        if record.time - interaction.created_at > RESPONSE_DEADLINE:
            raise DiscordError.of(404, 10062, "Unknown interaction")
        body = record.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        allowed = ALLOWED_CALLBACKS[interaction.type]
        if kind not in allowed:
            errors = rules.FormErrors()
            errors.add(("type",), "BASE_TYPE_CHOICES", f"Value must be one of {allowed}.")
            _raise_if(errors.body())
        message = None
        if kind == AUTOCOMPLETE_RESULT:
            _raise_if(rules.choices_errors(data))
        elif kind == MESSAGE_WITH_SOURCE:
            _check_message(data, creating=True)
            message = interaction.original = self._new_message(interaction.channel_id, data)
        elif kind == DEFERRED_MESSAGE:
            flags = (data.get("flags") or 0) & EPHEMERAL | LOADING
            message = interaction.original = self._new_message(interaction.channel_id, {"flags": flags})
        elif kind == UPDATE_MESSAGE and interaction.message is not None:
            message = interaction.message
            self._edit(message, data)
        interaction.response = body
        if not _flag(record.query, "with_response"):
            return None
        summary: Json = {"id": str(interaction.id), "type": interaction.type}
        if message is None:
            return {"interaction": summary}
        summary |= {
            "response_message_id": str(message.id),
            "response_message_loading": message.loading,
            "response_message_ephemeral": message.ephemeral,
        }
        return {"interaction": summary, "resource": {"type": kind, "message": self._message_payload(message)}}

    async def _create_followup(self, record: RecordedRequest, application_id: int, token: str) -> Json | None:
        """A followup; the first one after a deferred response becomes its "thinking..." message."""
        interaction = self._webhook_interaction(application_id, token)
        body = record.json or {}
        _check_message(body, creating=True)
        original = interaction.original
        if original is not None and original.loading:
            original.update(body)
            message = original
        else:
            message = self._new_message(interaction.channel_id, body)
        interaction.followups.append(message)
        return self._message_payload(message) if _flag(record.query, "wait") else None

    async def _get_webhook_message(
        self, record: RecordedRequest, application_id: int, token: str, message: str
    ) -> Json:
        found = self._webhook_message(self._webhook_interaction(application_id, token), message)
        return self._message_payload(found)

    async def _edit_webhook_message(
        self, record: RecordedRequest, application_id: int, token: str, message: str
    ) -> Json:
        found = self._webhook_message(self._webhook_interaction(application_id, token), message)
        return self._edit(found, record.json or {})

    async def _delete_webhook_message(
        self, record: RecordedRequest, application_id: int, token: str, message: str
    ) -> None:
        self._webhook_message(self._webhook_interaction(application_id, token), message).deleted = True

    def _webhook_interaction(self, application_id: int, token: str) -> Interaction:
        interaction = self._interactions_by_token.get(token)
        if application_id != APPLICATION_ID or interaction is None or interaction.response is None:
            raise DiscordError.of(404, 10015, "Unknown Webhook")
        if time.monotonic() - interaction.created_at > TOKEN_LIFETIME:
            raise DiscordError.of(401, 50027, "Invalid Webhook Token")
        return interaction

    def _webhook_message(self, interaction: Interaction, message: str) -> Message:
        if message == "@original":
            found = interaction.original
        else:
            sent = [interaction.original, *interaction.followups]
            found = next((m for m in sent if m is not None and m.id == int(message)), None)
        if found is None or found.deleted:
            raise DiscordError.of(404, 10008, "Unknown Message")
        return found

    async def _get_channel(self, record: RecordedRequest, channel_id: int) -> Json:
        return self.world.channel_payload(self._known_channel(channel_id))

    async def _create_message(self, record: RecordedRequest, channel_id: int) -> Json:
        self._check_can_send(self._known_channel(channel_id))
        body = record.json or {}
        _check_message(body, creating=True)
        return self._message_payload(self._new_message(channel_id, body))

    async def _get_message(self, record: RecordedRequest, channel_id: int, message_id: int) -> Json:
        return self._message_payload(self._channel_message(channel_id, message_id))

    async def _edit_message(self, record: RecordedRequest, channel_id: int, message_id: int) -> Json:
        message = self._channel_message(channel_id, message_id)
        self._check_can_send(self._known_channel(channel_id))
        if message.old:
            raise DiscordError.of(400, 30046, "Maximum number of edits to messages older than 1 hour reached.")
        return self._edit(message, record.json or {})

    async def _delete_message(self, record: RecordedRequest, channel_id: int, message_id: int) -> None:
        self._channel_message(channel_id, message_id).deleted = True

    def _known_channel(self, channel_id: int) -> Channel:
        channel = self.world.channel(channel_id)
        if channel is None:
            raise DiscordError.of(404, 10003, "Unknown Channel")
        return channel

    def _check_can_send(self, channel: Channel) -> None:
        if not self.world.permissions(self.world.people["bot"], channel) & SEND_MESSAGES:
            raise DiscordError.of(403, 50013, "Missing Permissions")

    def _channel_message(self, channel_id: int, message_id: int) -> Message:
        message = self.messages[self._known_channel(channel_id).id].get(message_id)
        if message is None or message.deleted:
            raise DiscordError.of(404, 10008, "Unknown Message")
        return message

    def _new_message(self, channel_id: int, body: Json) -> Message:
        message = Message(id=self._snowflake(), channel_id=channel_id, flags=body.get("flags") or 0)
        message.update(body)
        self.messages[channel_id][message.id] = message
        return message

    def _edit(self, message: Message, body: Json) -> Json:
        _check_message(body, creating=False)
        message.update(body)
        message.edits += 1
        message.edited_at = datetime.datetime.now(datetime.UTC)
        return self._message_payload(message)

    def _message_payload(self, message: Message) -> Json:
        return message.payload(self._bot_user())

    def _bot_user(self) -> Json:
        return self.world.user_payload(self.world.people["bot"])

    # Interactions.

    def _channel(self, guild_id: int | None, channel_id: int | None) -> Channel:
        guild = self.world.guilds[0] if guild_id is None else self.world.guild(guild_id)
        channel = guild.channels[0] if channel_id is None else self.world.channel(channel_id)
        if channel is None or channel.guild_id != guild.id:
            raise LookupError(f"no channel {channel_id} in guild {guild.id}")
        return channel

    def _command_data(
        self,
        name: str,
        options: Mapping[str, OptionValue],
        channel: Channel,
        user: PersonKey,
        focused: str | None = None,
    ) -> Json:
        """Data for a registered slash command: the guild's own first, as Discord's client picks."""
        root, *subcommand = name.split()
        registered = self.commands.get(channel.guild_id, []) + self.commands.get(None, [])
        command = next((c for c in registered if c["name"] == root and c["type"] == rules.CHAT_INPUT), None)
        if command is None:
            raise LookupError(f"/{root} is not registered globally or in guild {channel.guild_id}: sync first")
        return self.world.command_data(command, subcommand, options, self.world.people[user], focused)

    async def _inject(
        self, kind: int, data: Json, channel: Channel, user: PersonKey, message: Message | None = None
    ) -> Interaction:
        session = self._session
        if session is None:
            raise RuntimeError("no bot has identified on the gateway")
        interaction_id, token = self._snowflake(), secrets.token_urlsafe(48)
        payload = self.world.interaction_payload(
            interaction_id=interaction_id,
            token=token,
            kind=kind,
            data=data,
            channel=channel,
            person=self.world.people[user],
            message=None if message is None else self._message_payload(message),
        )
        interaction = Interaction(
            interaction_id, token, kind, channel.id, payload, time.monotonic(), self._changes, self.requests, message
        )
        self.interactions.append(interaction)
        self._interactions_by_id[interaction_id] = interaction
        self._interactions_by_token[token] = interaction
        await self._dispatch(session, "INTERACTION_CREATE", payload)
        return interaction

    def _snowflake(self) -> int:
        """A fresh id stamped with the current time: discord.py derives created_at and expiry from ids."""
        self._last_id = max(self._last_id + 1, (time.time_ns() // 1_000_000 - DISCORD_EPOCH_MS) << 22)
        return self._last_id

    # Gateway.

    async def _handle_gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if request.query.get("v") != "10":
            await ws.close(code=4012, message=b"Invalid API version")
            return ws
        connection = _Connection(ws, compress=request.query.get("compress") == "zlib-stream")
        self._connections.add(connection)
        try:
            await connection.send({"op": Op.HELLO, "d": {"heartbeat_interval": round(self.heartbeat_interval * 1000)}})
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._on_gateway_payload(connection, json.loads(frame.data))
        finally:
            self._connections.discard(connection)
            self._detach(connection)
            self._changes.notify()
        return ws

    async def _on_gateway_payload(self, connection: _Connection, payload: Json) -> None:
        self.gateway_received.append(payload)
        data = payload.get("d") or {}
        match payload.get("op"):
            case Op.HEARTBEAT:
                await connection.send({"op": Op.HEARTBEAT_ACK})
            case Op.IDENTIFY:
                await self._identify(connection, data)
            case Op.RESUME:
                await self._resume(connection, data)
            case Op.REQUEST_GUILD_MEMBERS:
                await self._send_members(connection, data)
            case Op.PRESENCE_UPDATE | Op.VOICE_STATE_UPDATE:
                pass  # nothing here depends on them
            case _:
                await connection.ws.close(code=4001, message=b"Unknown opcode")
        self._changes.notify()

    async def _identify(self, connection: _Connection, data: Json) -> None:
        if data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed")
            return
        session = _Session(id=secrets.token_hex(16), connection=connection)
        self._sessions[session.id] = session
        connection.session = session
        ready = {
            "v": 10,
            "user": self._bot_user() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(guild.id), "unavailable": True} for guild in self.world.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APPLICATION_ID), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }
        await self._dispatch(session, "READY", ready)
        for guild in self.world.guilds:
            await self._dispatch(session, "GUILD_CREATE", self.world.guild_create_payload(guild))
        self._session = session

    async def _resume(self, connection: _Connection, data: Json) -> None:
        session = self._sessions.get(data.get("session_id") or "")
        seq = data.get("seq") or 0
        if session is None or data.get("token") != self.token or seq > len(session.events):
            await connection.send({"op": Op.INVALID_SESSION, "d": False})
            return
        abandoned, session.connection = session.connection, None
        if abandoned is not None:
            await abandoned.ws.close(code=4000)
        while seq < len(session.events):  # what is dispatched meanwhile is appended, and sent here too
            await connection.send(session.events[seq])
            seq += 1
            self.replayed += 1
        session.connection, connection.session = connection, session
        await self._dispatch(session, "RESUMED", {})

    async def _send_members(self, connection: _Connection, data: Json) -> None:
        guild = next((guild for guild in self.world.guilds if str(guild.id) == str(data.get("guild_id"))), None)
        if connection.session is None or guild is None:
            return
        chunk = {
            "guild_id": str(guild.id),
            "members": [self.world.member_payload(guild, person) for person in self.world.people.values()],
            "chunk_index": 0,
            "chunk_count": 1,
            "nonce": data.get("nonce"),
        }
        await self._dispatch(connection.session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _dispatch(self, session: _Session, event: str, data: Json) -> None:
        payload = {"op": Op.DISPATCH, "t": event, "s": len(session.events) + 1, "d": data}
        session.events.append(payload)
        connection = session.connection
        if connection is None:
            return
        try:
            await connection.send(payload)
        except ConnectionResetError:  # the bot went away; the event waits for its RESUME
            self._detach(connection)

    def _detach(self, connection: _Connection) -> None:
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None


def _check_message(body: Json, *, creating: bool) -> None:
    _raise_if(rules.message_errors(body, creating=creating))


def _raise_if(errors: Json | None) -> None:
    if errors is not None:
        raise DiscordError(400, errors)


def _flag(query: Mapping[str, str], name: str) -> bool:
    return query.get(name, "").lower() in ("1", "true")
