"""Settings: typed, from the environment or .env; a missing token fails clearly; repr hides it."""

from __future__ import annotations

import logging
from io import StringIO

import pytest

from bot.logs import configure_logging, redact_tokens
from bot.settings import SettingsError, load_settings

SECRET = "MTIzNDU2Nzg5.sentinel.token-value"


def test_token_hidden_in_repr_and_str(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", SECRET)
    settings = load_settings(None)
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert settings.require_token() == SECRET


def test_missing_token_fails_clearly(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        load_settings(None).require_token()


def test_env_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    env = tmp_path / ".env"
    env.write_text(f"DISCORD_TOKEN={SECRET}\nLIVETALLY_DB=some/where.db\nLIVETALLY_LOG_LEVEL=debug\n")
    settings = load_settings(env)
    assert settings.require_token() == SECRET
    assert settings.db_path.is_absolute() and settings.db_path.name == "where.db"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(("name", "value"), [("DISCORD_API_BASE", "ftp://x"), ("LIVETALLY_LOG_LEVEL", "loud")])
def test_bad_values_are_reported_by_name(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings(None)


def test_endpoints_are_normalised(monkeypatch):
    monkeypatch.setenv("DISCORD_API_BASE", "http://127.0.0.1:9/api/v10/")
    monkeypatch.setenv("DISCORD_GATEWAY_URL", "ws://127.0.0.1:9/ws")
    settings = load_settings(None)
    assert settings.api_base == "http://127.0.0.1:9/api/v10" and settings.gateway_url == "ws://127.0.0.1:9/ws"


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_token_never_reaches_the_log_at_any_level(restore_logging):
    stream = StringIO()
    configure_logging("DEBUG", secrets=[SECRET], stream=stream)
    log = logging.getLogger("livetally.test")
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR):
        log.log(level, "token is %s", SECRET)
    try:
        raise RuntimeError(f"bad token {SECRET}")
    except RuntimeError:
        log.exception("failure")
    assert SECRET not in stream.getvalue() and "[redacted]" in stream.getvalue()


INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDA6c2VjcmV0-_x"


@pytest.mark.parametrize("line", [
    f"Webhook ID 1 with POST https://discord.com/api/v10/interactions/1300/{INTERACTION_TOKEN}/callback has "
    "returned status code 204",
    f"PATCH https://discord.com/api/v10/webhooks/42/{INTERACTION_TOKEN}/messages/@original?wait=true",
    f"WebSocket Event: {{'t': 'INTERACTION_CREATE', 'd': {{'id': '1300', 'token': '{INTERACTION_TOKEN}'}}}}",
    f'sent {{"token": "{INTERACTION_TOKEN}", "type": 4}}',
    f'data "{{\\"token\\": \\"{INTERACTION_TOKEN}\\"}}"',
])
def test_interaction_tokens_never_reach_the_log(restore_logging, line):
    stream = StringIO()
    configure_logging("DEBUG", secrets=[SECRET], stream=stream)
    logging.getLogger("discord.webhook.async_").debug("%s", line)
    text = stream.getvalue()
    assert INTERACTION_TOKEN not in text
    assert line.replace(INTERACTION_TOKEN, "[redacted]") in text  # only the token goes


def test_lines_without_tokens_are_left_alone():
    line = "Shard ID None has connected to Gateway (Session ID: abc). /interactions/ is a path, token a word"
    assert redact_tokens(line) == line
    plain = "For Shard ID None: WebSocket Event: {'t': 'GUILD_CREATE'}"
    assert redact_tokens(plain) is plain


def test_records_below_the_level_are_never_formatted(restore_logging):
    class Counted:
        calls = 0

        def __str__(self) -> str:
            Counted.calls += 1
            return "payload"

    configure_logging("INFO", secrets=[SECRET], stream=StringIO())
    logging.getLogger("discord.gateway").debug("WebSocket Event: %s", Counted())
    assert Counted.calls == 0
