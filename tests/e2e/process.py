"""Bot processes started against a stand-in: their output collected, always stopped.

Used by the end-to-end tests (through the `start_bot` fixture), the reliability suite and
bench/standin_load.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from tests.e2e.openapi import PROJECT_ROOT
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


@contextlib.asynccontextmanager
async def running(standin: StandIn, db_dir: Path, *args: str,
                  env: Mapping[str, str] | None = None) -> AsyncIterator[BotProcess]:
    """`launch`, stopped on the way out whatever happens."""
    bot = await launch(standin, db_dir, *args, env=env)
    try:
        yield bot
    finally:
        await bot.stop()
