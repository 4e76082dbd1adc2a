"""/faq add | edit | remove | list: a server's own answers, found by /ask and /topic beside the
knowledge base. Answers may show live rates: `{{ rate('diamond_usd') }}` (see bot/sandbox.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import db
from bot.checks import moderator_only
from bot.errors import UserFacingError
from bot.render import user_text
from bot.sandbox import TemplateRejected
from bot.feature import Feature
from bot.sender import defer, send_reply, send_text

if TYPE_CHECKING:
    from bot.client import LiveTallyBot

FAQ_PER_SERVER = 200
CHOICES_MAX = 25
NAME_MIN = 1
QUESTION_MIN = 3
ANSWER_MIN = 1

# The limits Discord is told about; the handlers check them again, since a client need not obey.
Name = app_commands.Range[str, NAME_MIN, db.FAQ_NAME_MAX]
Question = app_commands.Range[str, QUESTION_MIN, db.FAQ_QUESTION_MAX]
Answer = app_commands.Range[str, ANSWER_MIN, db.FAQ_ANSWER_MAX]

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_CONTROL_IN_ANSWER_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # line breaks and tabs are fine
_DIRECTION_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")  # embeddings, overrides, isolates
_INVISIBLE_RE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_LINE_BREAK_RE = re.compile(r"\r\n?")


def checked_line(field: str, text: str, minimum: int, maximum: int) -> str:
    """A name or question, stripped: one line of visible text within its limits, or `UserFacingError`."""
    text = text.strip()
    if _CONTROL_RE.search(text):
        raise UserFacingError(f"The {field} can't contain control characters such as line breaks, tabs or "
                              "escape codes: write it as plain text on one line.")
    if _INVISIBLE_RE.search(text):
        raise UserFacingError(f"The {field} can't contain invisible characters: zero-width spaces or joiners, "
                              "or marks that change the text's direction.")
    return _within(field, text, minimum, maximum)


def checked_answer(text: str) -> str:
    """An answer, stripped, Windows line breaks made plain: within its limits, no control characters but
    line breaks and tabs, no direction overrides; zero-width joiners and direction marks are kept."""
    text = _LINE_BREAK_RE.sub("\n", text).strip()
    if _CONTROL_IN_ANSWER_RE.search(text):
        raise UserFacingError("The answer can't contain control characters other than line breaks and tabs "
                              "(no escape codes).")
    if _DIRECTION_RE.search(text):
        raise UserFacingError("The answer can't contain characters that override the text's direction "
                              "(U+202A–U+202E, U+2066–U+2069). Zero-width joiners and left-to-right or "
                              "right-to-left marks are fine.")
    if not _INVISIBLE_RE.sub("", text).strip():
        raise UserFacingError("The answer is empty.")
    return _within("answer", text, ANSWER_MIN, db.FAQ_ANSWER_MAX)


def _within(field: str, text: str, minimum: int, maximum: int) -> str:
    if not text:
        raise UserFacingError(f"The {field} is empty.")
    if len(text) < minimum:
        raise UserFacingError(f"The {field} needs at least {minimum} characters; yours has {len(text)}.")
    if len(text) > maximum:
        raise UserFacingError(f"The {field} can be at most {maximum:,} characters; yours has {len(text):,}.")
    return text


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Faq(Feature, commands.GroupCog, group_name="faq", group_description="Moderators: this server's own FAQ answers"):
    def _check_answer(self, answer: str) -> str:
        answer = checked_answer(answer)
        try:
            self.service.templates.check(answer)
            self.service.templates.render(answer, self.service.faq_context(None))
        except TemplateRejected as exc:
            raise UserFacingError(str(exc)) from exc
        return answer

    async def _reload(self, guild_id: int) -> None:
        self.service.set_faq(guild_id, await db.list_faq(self.storage("Server FAQ entries"), guild_id))

    @app_commands.command(name="add", description="Add an answer members get from /ask and /topic here")
    @app_commands.describe(name="A short name, e.g. payout-day", question="The question it answers",
                           answer="The answer (Markdown; {{ rate('diamond_usd') }} shows a live rate)")
    @moderator_only
    async def add(self, interaction: discord.Interaction, name: Name, question: Question, answer: Answer) -> None:
        name = checked_line("name", name, NAME_MIN, db.FAQ_NAME_MAX)
        question = checked_line("question", question, QUESTION_MIN, db.FAQ_QUESTION_MAX)
        conn = self.storage("Server FAQ entries")
        answer = self._check_answer(answer)
        await defer(interaction, ephemeral=True)  # storage may wait on the disk
        if await db.count_faq(conn, interaction.guild_id) >= FAQ_PER_SERVER:
            raise UserFacingError(f"This server has {FAQ_PER_SERVER} FAQ entries already; remove one first.")
        entry = await db.add_faq(conn, interaction.guild_id, name, question, answer)
        await self._reload(interaction.guild_id)
        example = question[:80].replace("`", "'")  # inside inline code, a backtick would end it
        await send_text(interaction, f"Added **{user_text(entry.name, 100)}**. Try it: `/ask {example}`")

    @app_commands.command(name="edit", description="Change an entry's question or answer")
    @moderator_only
    async def edit(self, interaction: discord.Interaction, name: Name, question: Question | None = None,
                   answer: Answer | None = None) -> None:
        if question is None and answer is None:
            raise UserFacingError("Give a new question, a new answer, or both.")
        if question is not None:
            question = checked_line("question", question, QUESTION_MIN, db.FAQ_QUESTION_MAX)
        checked = self._check_answer(answer) if answer is not None else None
        conn = self.storage("Server FAQ entries")
        await defer(interaction, ephemeral=True)
        entry = await db.edit_faq(conn, interaction.guild_id, name.strip(), question=question, answer=checked)
        await self._reload(interaction.guild_id)
        await send_text(interaction, f"Updated **{user_text(entry.name, 100)}**.")

    @app_commands.command(name="remove", description="Delete an entry")
    @moderator_only
    async def remove(self, interaction: discord.Interaction, name: Name) -> None:
        conn = self.storage("Server FAQ entries")
        await defer(interaction, ephemeral=True)
        if not await db.remove_faq(conn, interaction.guild_id, name.strip()):
            raise UserFacingError(f"There's no entry called {user_text(name, 100)} here.")
        await self._reload(interaction.guild_id)
        await send_text(interaction, f"Removed **{user_text(name, 100)}**.")

    @app_commands.command(name="list", description="This server's FAQ entries")
    @moderator_only
    async def list_(self, interaction: discord.Interaction) -> None:
        conn = self.storage("Server FAQ entries")
        await defer(interaction, ephemeral=True)
        entries = await db.list_faq(conn, interaction.guild_id)
        if not entries:
            await send_text(interaction, "No entries yet. Add one with `/faq add`.")
            return
        await send_text(interaction, "\n".join(f"• **{user_text(e.name, 100)}** — {user_text(e.question, 150)}"
                                               for e in entries))

    @app_commands.command(name="show", description="Show an entry as members see it")
    @moderator_only
    async def show(self, interaction: discord.Interaction, name: Name) -> None:
        topic = self.service.find_topic(name, guild_id=interaction.guild_id)
        if topic is None or not topic.is_server_entry:
            raise UserFacingError(f"There's no entry called {user_text(name, 100)} here.")
        await send_reply(interaction, self.service.topic_reply(topic), ephemeral=True)

    @edit.autocomplete("name")
    @remove.autocomplete("name")
    @show.autocomplete("name")
    async def name_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower()
        names = [t.extra["name"] for t in self.service.matcher.guild_entries(interaction.guild_id)]
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names if needle in n.lower()][:CHOICES_MAX]


async def setup(bot: LiveTallyBot) -> None:
    await bot.add_cog(Faq(bot))
