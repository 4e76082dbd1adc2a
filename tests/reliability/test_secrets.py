"""The token never appears in a log line, at any level.

In process: `bot.logs.configure_logging` at DEBUG with a sentinel token from the environment, then
settings printed every way, an exception carrying the token, and a mixed batch of commands
(errors and internal failures included) through the real CommandTree. End to end: `python -m bot
sync` and `python -m bot` at LIVETALLY_LOG_LEVEL=DEBUG against the local stand-in (discord.py's
own DEBUG logging of REST calls and gateway events included), and a run whose token Discord refuses.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.logs import configure_logging
from bot.settings import load_settings
from tests.e2e.process import running
from tests.e2e.standin import StandIn
from tests.reliability.support import Call, run_concurrently

# Shaped like a real token (user id . timestamp . HMAC); the last part is the secret one.
SENTINEL = "MTMwMDAwMDAwMDAwMDAwMDAwMQ.Gsentl.s3ntinel-HMAC-part_9f8e7d6c5b4a3f2e1d0c"
SECRET_PART = SENTINEL.rsplit(".", 1)[-1]
DEBUG = {"LIVETALLY_LOG_LEVEL": "DEBUG"}
MOD = {"moderator": True}


@contextmanager
def captured_logging(level: str, token: str) -> Iterator[io.StringIO]:
    """configure_logging as the bot does, into a buffer; the previous set-up restored after."""
    root, discord_logger = logging.getLogger(), logging.getLogger("discord")
    saved = (list(root.handlers), root.level, discord_logger.level)
    buffer = io.StringIO()
    configure_logging(level, secrets=[token], stream=buffer)
    try:
        yield buffer
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        discord_logger.setLevel(saved[2])


def assert_clean(text: str) -> None:
    assert SENTINEL not in text and SECRET_PART not in text, _around(text, SECRET_PART)


def _around(text: str, needle: str) -> str:
    at = text.find(needle)
    return text[max(0, at - 200): at + 100] if at >= 0 else ""


async def test_sentinel_never_logged_in_process(harness, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", f"  {SENTINEL}\n")
    settings = load_settings(env_file=None)
    token = settings.require_token()
    assert token == SENTINEL
    with captured_logging("DEBUG", token) as buffer:
        log = logging.getLogger("livetally.test")
        log.debug("settings repr %r", settings)
        log.info("settings str %s; dump %s; json %s", settings, settings.model_dump(), settings.model_dump_json())
        log.warning("a message that carries it: %s", token)
        log.debug("inside a header: Authorization: Bot %s", token)
        try:
            raise RuntimeError(f"login failed for token {token}")
        except RuntimeError:
            log.exception("a traceback that carries it")
        logging.getLogger("discord.http").debug("GET /users/@me with Bot %s has returned 200", token)

        results = await run_concurrently(harness, [
            Call("ask", {"question": "do likes pay"}), Call("ask", {"question": "x" * 900}),
            Call("estimate diamonds", {"amount": -5}), Call("rates set", {"key": "nope", "value": "1"}, **MOD),
            Call("rates set", {"key": "agency_cut", "value": "10%"}),  # a member: refused and logged
            Call("faq add", {"name": "n" * 300, "question": "a long name", "answer": "x"}, **MOD),
            Call("topic", {"name": "dia"}, focused="name"), Call("insights", {"days": 7}, **MOD),
        ])
        assert len(results) == 8
        await harness.bot.resources.question_log.flush()
        logging.getLogger().handlers[0].flush()
    text = buffer.getvalue()
    assert "DEBUG" in text and "a traceback that carries it" in text  # the capture really ran at DEBUG
    assert text.count("[redacted]") >= 4  # the four lines above that carried it
    assert_clean(text)


async def _debug_run(tmp_path: Path) -> tuple[str, list[str]]:
    """Sync and run the bot at DEBUG against the stand-in; returns (all output, interaction tokens)."""
    tokens = []
    output = []
    async with StandIn(token=SENTINEL) as standin:
        async with running(standin, tmp_path, "-m", "bot", "sync", env=DEBUG) as sync:
            assert await sync.wait() == 0, sync.output[-3000:]
        output.append(sync.output)
        async with running(standin, tmp_path, "-m", "bot", env=DEBUG) as bot:
            await bot.wait_for_line("ready as", timeout=60)
            await standin.wait_connected()
            for name, options, user in (("ask", {"question": "do likes pay"}, "member"),
                                        ("estimate diamonds", {"amount": 40000}, "member"),
                                        ("rates set", {"key": "nope", "value": "1"}, "moderator"),
                                        ("faq add", {"name": "n", "question": "a question", "answer": "{{ x.y }}"},
                                         "moderator")):
                interaction = await standin.inject_command(name, options, user=user)
                await interaction.wait_reply(timeout=10)
                tokens.append(interaction.token)
        output.append(bot.output)  # after the block: everything it printed, its shutdown included
    return "\n".join(output), tokens


@pytest.mark.timeout(120)
async def test_sentinel_never_logged_by_the_running_bot_at_debug(tmp_path):
    output, _ = await _debug_run(tmp_path)
    assert "WebSocket Event" in output and " DEBUG " in output  # discord.py really logged at DEBUG
    assert_clean(output)


@pytest.mark.timeout(120)
async def test_interaction_tokens_never_logged_at_debug(tmp_path):
    output, tokens = await _debug_run(tmp_path)
    assert tokens and not [t for t in tokens if t in output]


@pytest.mark.timeout(60)
async def test_refused_token_is_reported_without_showing_it(tmp_path):
    async with StandIn(token="a-different-token") as standin:
        async with running(standin, tmp_path, "-m", "bot", env={**DEBUG, "DISCORD_TOKEN": SENTINEL}) as bot:
            code = await bot.wait(60)
    output = bot.output
    assert code == 1, output[-2000:]
    assert "refused the token" in output
    assert_clean(output)
