"""The Bot subclass: resources passed in, minimal intents, no pings, extensions in setup_hook."""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.errors import on_tree_error
from bot.sender import ReplyAdapter, install_reply_adapter
from bot.transport import CallbackTransport

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger("livetally.client")

# Python's cyclic collector runs after every 700 new container objects by default. Every
# interaction ends in a reference cycle (discord.py's interaction and its response refer to each
# other), so with 50 in flight it ran every few interactions and walked the ones still in flight
# again and again. Every 10,000 objects its time per cold answer falls three- to eightfold
# (bench/collector.py, docs/benchmarks.md), and one pass still takes only milliseconds.
YOUNG_COLLECTION_THRESHOLD = 10_000

EXTENSIONS: tuple[str, ...] = (
    "cogs.answers", "cogs.estimate", "cogs.convert", "cogs.rates", "cogs.explainers", "cogs.faq", "cogs.insights",
)


def apply_endpoints(settings: Settings) -> None:
    """Send REST calls and the gateway connection to `DISCORD_API_BASE` / `DISCORD_GATEWAY_URL`.

    discord.py connects to its default gateway without asking REST first, so both are needed.
    """
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def settle_heap() -> tuple[int, int, int]:
    """Once started: move everything alive (the knowledge base, templates, discord.py's own objects,
    all kept for the life of the process) out of the collector's reach, so a full pass never walks
    it in one stretch on the event loop's thread; and collect young objects less often (see
    YOUNG_COLLECTION_THRESHOLD). Returns the collector's thresholds from before."""
    gc.collect()
    gc.freeze()
    previous = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *previous[1:])
    return previous


def intents() -> discord.Intents:
    """Slash commands need only guild events: no privileged intents, no message content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


class LiveTallyBot(commands.Bot):
    """Holds the resources it is given; creates none of its own."""

    def __init__(self, *, resources: Any, extensions: Sequence[str] = EXTENSIONS, tune_heap: bool = False,
                 **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.resources = resources
        self.extension_names = tuple(extensions)
        self.failed_extensions: dict[str, str] = {}
        self.tune_heap = tune_heap
        self.tree.on_error = on_tree_error
        self.callbacks = CallbackTransport()  # interaction responses leave through it (`bot.sender`)

    @property
    def service(self) -> Any:
        """The answering service (`bot.service.Service`) the entry point passed in."""
        return self.resources.service

    async def setup_hook(self) -> None:
        # Runs in the task that goes on to read the gateway, so every interaction's task inherits it.
        install_reply_adapter(ReplyAdapter(self.callbacks))
        for name in self.extension_names:
            try:
                await self.load_extension(name)
            except commands.ExtensionError as exc:  # one broken feature must not take the rest down
                self.failed_extensions[name] = str(exc)
                log.exception("extension %s failed to load", name)
        await self.resources.start(self)
        if self.tune_heap:
            settle_heap()

    async def close(self) -> None:
        try:
            await self.resources.stop()
        finally:
            await super().close()
            self.callbacks.close()

    async def on_ready(self) -> None:
        log.info("ready as %s in %d server(s)", self.user, len(self.guilds))


def command_schema(tree: app_commands.CommandTree) -> list[dict[str, Any]]:
    """The JSON Discord receives on `sync`: used by `sync` itself and by the schema tests."""
    return [cmd.to_dict(tree) for cmd in tree.get_commands()]
