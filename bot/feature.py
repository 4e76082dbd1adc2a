"""What every cog shares: the bot it belongs to and the resources the entry point gave it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.errors import UserFacingError

if TYPE_CHECKING:
    import aiosqlite

    from bot.client import LiveTallyBot
    from bot.resources import Resources
    from bot.service import Service


class Feature:
    """Mix in before `commands.Cog` / `commands.GroupCog`: `class Faq(Feature, commands.GroupCog, ...)`."""

    def __init__(self, bot: LiveTallyBot, *args: Any, **kwargs: Any) -> None:
        self.bot = bot
        super().__init__(*args, **kwargs)

    @property
    def resources(self) -> Resources:
        return self.bot.resources

    @property
    def service(self) -> Service:
        return self.bot.resources.service

    def storage(self, what: str) -> aiosqlite.Connection:
        """The database connection, or a clear message that `what` is unavailable without one."""
        conn = self.bot.resources.conn
        if conn is None:
            raise UserFacingError(f"{what} are unavailable right now (no database).")
        return conn
