"""Fixtures: a running Discord stand-in, and bot processes started against it and always stopped.

    async def test_something(standin, start_bot):
        bot = await start_bot("-m", "bot")          # or "tests/e2e/bare_bot.py"
        await standin.wait_connected()
        reply = await (await standin.inject_command("ask", {"question": "do likes pay?"})).wait_reply()

A bot process runs from the project root with DISCORD_TOKEN, DISCORD_API_BASE,
DISCORD_GATEWAY_URL and LIVETALLY_DB (in the test's tmp_path) pointing at the stand-in.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path

import pytest

from tests.e2e.openapi import PROJECT_ROOT, SPEC_PATH, ApiSpec, load_spec
from tests.e2e.standin import StandIn

BARE_BOT = "tests/e2e/bare_bot.py"
STOP_TIMEOUT = 5.0


class BotProcess:
    """A bot subprocess; its stdout and stderr are collected line by line in ``lines``."""

    def __init__(self, args: tuple[str, ...], process: asyncio.subprocess.Process) -> None:
        self.args = args
        self.process = process
        self.lines: list[str] = []
        self._new_line = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            async for raw in self.process.stdout:
                self.lines.append(raw.decode(errors="replace").rstrip())
                self._new_line.set()
        finally:
            self._new_line.set()

    async def wait_for_line(self, text: str, timeout: float = 10.0) -> str:
        """The first output line containing ``text``, once the bot has printed it."""
        async with asyncio.timeout(timeout):
            while True:
                found = next((line for line in self.lines if text in line), None)
                if found is not None:
                    return found
                if self._reader.done():
                    raise AssertionError(f"{self.args} ended without printing {text!r}:\n{self.output}")
                self._new_line.clear()
                await self._new_line.wait()

    async def wait(self, timeout: float = 30.0) -> int:
        """The exit status, once the process has ended (for one-shot commands such as ``sync``)."""
        async with asyncio.timeout(timeout):
            code = await self.process.wait()
            await self._reader
        return code

    async def stop(self) -> None:
        """End the process: SIGTERM, then SIGKILL if it has not ended within STOP_TIMEOUT."""
        if self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        async with asyncio.timeout(STOP_TIMEOUT):
            await self._reader


StartBot = Callable[..., Awaitable[BotProcess]]


def bot_environment(standin: StandIn, tmp_path: Path) -> dict[str, str]:
    """This process's environment, with every Discord and LiveTally setting pointed at the test."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "LIVETALLY_"))}
    return inherited | {
        "DISCORD_TOKEN": standin.token,
        "DISCORD_API_BASE": standin.api_base,
        "DISCORD_GATEWAY_URL": standin.gateway_url,
        "LIVETALLY_DB": str(tmp_path / "livetally.db"),
        "PYTHONUNBUFFERED": "1",
    }


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


async def launch(standin: StandIn, db_dir: Path, *args: str, env: Mapping[str, str] | None = None) -> BotProcess:
    """``python *args`` from the project root, pointed at ``standin`` with its database in ``db_dir``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=PROJECT_ROOT,
        env=bot_environment(standin, db_dir) | dict(env or {}),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    return BotProcess(args, process)


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
