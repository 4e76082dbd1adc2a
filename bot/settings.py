"""Typed settings read once from the environment (and `.env`); the token is a secret."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
TEMPLATES_DIR = ROOT / "templates"


class SettingsError(Exception):
    """Settings are missing or malformed; the message says which and how to fix it."""


class Settings(BaseSettings):
    """Everything LiveTally reads from its environment.

    `repr()` and `str()` never show the token (pydantic's `SecretStr`).
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    db_path: Path = Field(default=ROOT / "data" / "livetally.db", alias="LIVETALLY_DB")
    api_base: str | None = Field(default=None, alias="DISCORD_API_BASE")
    gateway_url: str | None = Field(default=None, alias="DISCORD_GATEWAY_URL")
    log_level: str = Field(default="INFO", alias="LIVETALLY_LOG_LEVEL")
    dev_guild: int | None = Field(default=None, alias="LIVETALLY_DEV_GUILD")

    @field_validator("discord_token", "api_base", "gateway_url", "dev_guild", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("api_base", "gateway_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("must start with http(s):// or ws(s)://")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator("db_path")
    @classmethod
    def _db_path(cls, value: Path) -> Path:
        return value if value.is_absolute() else ROOT / value

    def require_token(self) -> str:
        """The token, or a `SettingsError` that tells the user how to provide one."""
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            raise SettingsError(
                "DISCORD_TOKEN is not set. Put it in the environment or in .env "
                "(see .env.example); `python -m bot chat` works without one."
            )
        return self.discord_token.get_secret_value().strip()


def load_settings(env_file: Path | None = ROOT / ".env") -> Settings:
    """Read the settings, turning pydantic's errors into one readable `SettingsError`."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"Invalid settings: {problems}") from None
