"""Fixtures: a running Discord stand-in, and bot processes started against it and always stopped.

    async def test_something(standin, start_bot):
        bot = await start_bot("-m", "bot")          # or "tests/e2e/bare_bot.py"
        await standin.wait_connected()
        reply = await (await standin.inject_command("ask", {"question": "do likes pay?"})).wait_reply()

A bot process runs from the project root with DISCORD_TOKEN, DISCORD_API_BASE,
DISCORD_GATEWAY_URL and LIVETALLY_DB (in the test's tmp_path) pointing at the stand-in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path

import pytest

from tests.e2e.openapi import SPEC_PATH, ApiSpec, load_spec
from tests.e2e.process import BARE_BOT, BotProcess, launch
from tests.e2e.standin import StandIn

StartBot = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
def api_spec() -> ApiSpec:
    spec = load_spec()
    if spec is None:
        pytest.skip(f"Discord's OpenAPI spec is not at {SPEC_PATH}")
    return spec


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    """A running stand-in; it checks bodies against Discord's OpenAPI spec where that is present."""
    async with StandIn(spec=load_spec()) as server:
        yield server


@pytest.fixture
async def start_bot(standin: StandIn, tmp_path: Path) -> AsyncIterator[StartBot]:
    """``await start_bot(*python_args, env={...})`` starts ``python *python_args`` from the project root."""
    started: list[BotProcess] = []

    async def start(*args: str, env: Mapping[str, str] | None = None) -> BotProcess:
        started.append(await launch(standin, tmp_path, *args, env=env))
        return started[-1]

    try:
        yield start
    finally:
        for bot in started:
            await bot.stop()
            print(f"--- output of {' '.join(bot.args)} (exit {bot.process.returncode}) ---\n{bot.output}")


@pytest.fixture
async def bare_bot(standin: StandIn, start_bot: StartBot) -> BotProcess:
    """bare_bot.py with /ping synced, connected to the stand-in's gateway."""
    sync = await start_bot(BARE_BOT, "sync")
    assert await sync.wait() == 0, sync.output
    bot = await start_bot(BARE_BOT)
    await standin.wait_connected()
    return bot
