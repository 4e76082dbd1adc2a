"""One error handler for the whole command tree, from a table of error type → user message.

Users get a short ephemeral message (and, for our own bugs, a short code); the log gets the code
and the traceback. A traceback never reaches a user.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

log = logging.getLogger("livetally.errors")


class UserFacingError(Exception):
    """Tell the user this message, ephemerally, and stop. Nothing is logged as a failure."""


# Checked in order; the first matching type gives the message. `{e}` is the error itself.
ERROR_MESSAGES: tuple[tuple[type[BaseException], str], ...] = (
    (app_commands.NoPrivateMessage, "This command only works inside a server, not in DMs."),
    (app_commands.MissingPermissions, "You need the **Manage Server** permission to do that."),
    (app_commands.BotMissingPermissions, "I'm missing a permission here: {missing}."),
    (app_commands.CommandOnCooldown, "Slow down a little: try again in {retry:.0f} s."),
    (app_commands.TransformerError, "That value doesn't work for this option: {value}."),
    (app_commands.CheckFailure, "You can't use this command here."),
)


def error_code() -> str:
    """A short code a user can quote and we can find in the log."""
    return secrets.token_hex(3).upper()


def describe(error: BaseException) -> tuple[str, str | None]:
    """(message for the user, error code or None when the error is the user's, not ours)."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, UserFacingError):
        return str(error), None
    user_errors = _user_error_types()
    if isinstance(error, user_errors):
        return str(error), None
    for error_type, template in ERROR_MESSAGES:
        if isinstance(error, error_type):
            return template.format(
                e=error,
                missing=", ".join(getattr(error, "missing_permissions", []) or []) or "unknown",
                retry=getattr(error, "retry_after", 0.0),
                value=getattr(error, "value", ""),
            ), None
    return "Something went wrong on my side. It has been logged; please try again.", error_code()


def _user_error_types() -> tuple[type[BaseException], ...]:
    """Errors from the calculator and storage whose message is written for users."""
    from bot.calc import InputError, RateError
    from bot.db import StorageUserError

    return (InputError, RateError, StorageUserError)


async def on_tree_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """The command tree's error handler: log, then answer the user once, ephemerally."""
    from bot.sender import send_text

    message, code = describe(error)
    command = interaction.command.qualified_name if interaction.command else "?"
    if code is None:
        log.info("/%s refused: %s", command, message)
    else:
        original = getattr(error, "original", error)
        log.error("/%s failed [%s]", command, code, exc_info=(type(original), original, original.__traceback__))
    try:
        await send_text(interaction, message, ephemeral=True, error_code=code)
    except discord.HTTPException as exc:  # the interaction may have expired; nothing more to do
        log.warning("could not report error [%s] for /%s: %s", code, command, exc)
