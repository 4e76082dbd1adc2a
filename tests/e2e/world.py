"""The small Discord world the stand-in serves: one bot, two guilds, and the people in them.

Every guild has two text channels, an @everyone role, a moderator role with Manage Server, the
bot's own role, and three members: the bot, a moderator and a plain member. The payload
builders return the JSON shapes Discord sends, so discord.py parses them as it would live data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Json = dict[str, Any]
PersonKey = Literal["bot", "moderator", "member"]
OptionValue = str | int | float | bool

APPLICATION_ID = 1_300_000_000_000_000_001  # a modern app's bot user shares the application's id
OWNER_ID = 1_300_000_000_000_000_009
JOINED_AT = "2025-01-01T00:00:00+00:00"

# Permission bits (Discord's "Bitwise Permission Flags").
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_APPLICATION_COMMANDS
)
MODERATOR_PERMISSIONS = MANAGE_GUILD | MANAGE_MESSAGES
BOT_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY
ROLE_PERMISSIONS: dict[PersonKey, int] = {"bot": BOT_PERMISSIONS, "moderator": MODERATOR_PERMISSIONS, "member": 0}

TEXT_CHANNEL = 0
ROLE_OVERWRITE = 0

# Command option types; the ones a test can fill take these Python values (a channel: its id).
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, CHANNEL, NUMBER = 1, 2, 3, 4, 5, 7, 10
OPTION_VALUES: dict[int, tuple[type, ...]] = {
    STRING: (str,),
    INTEGER: (int,),
    NUMBER: (int, float),
    BOOLEAN: (bool,),
    CHANNEL: (int,),
}


@dataclass(frozen=True)
class Person:
    key: PersonKey
    id: int
    username: str

    @property
    def is_bot(self) -> bool:
        return self.key == "bot"


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    position: int
    denied_to_bot: int = 0  # permission bits a channel overwrite takes from the bot's role


@dataclass(frozen=True)
class Guild:
    id: int
    name: str
    moderator_role_id: int
    bot_role_id: int
    channels: tuple[Channel, ...]

    def role_ids(self, person: Person) -> list[int]:
        """The roles a member has besides @everyone (whose id is the guild's)."""
        return {"bot": [self.bot_role_id], "moderator": [self.moderator_role_id], "member": []}[person.key]


@dataclass
class World:
    """The guilds and people; channels are mutable so a test can take permissions away."""

    people: dict[PersonKey, Person] = field(
        default_factory=lambda: {
            "bot": Person("bot", APPLICATION_ID, "LiveTally Test"),
            "moderator": Person("moderator", 1_300_000_000_000_000_002, "moderator"),
            "member": Person("member", 1_300_000_000_000_000_003, "member"),
        }
    )
    guilds: tuple[Guild, ...] = field(default_factory=lambda: (_guild(1, "Creators One"), _guild(2, "Creators Two")))

    def guild(self, guild_id: int) -> Guild:
        found = next((guild for guild in self.guilds if guild.id == guild_id), None)
        if found is None:
            raise LookupError(f"no guild {guild_id}")
        return found

    def channel(self, channel_id: int) -> Channel | None:
        return next((c for guild in self.guilds for c in guild.channels if c.id == channel_id), None)

    def permissions(self, person: Person, channel: Channel) -> int:
        """A member's permissions in a channel: @everyone's, their role's, less the channel's overwrite."""
        granted = EVERYONE_PERMISSIONS | ROLE_PERMISSIONS[person.key]
        return granted & ~channel.denied_to_bot if person.is_bot else granted

    # Payloads, as Discord sends them.

    def user_payload(self, person: Person) -> Json:
        user: Json = {
            "id": str(person.id),
            "username": person.username,
            "discriminator": "0001" if person.is_bot else "0",
            "global_name": None if person.is_bot else person.username.title(),
            "avatar": None,
            "public_flags": 0,
        }
        if person.is_bot:
            user["bot"] = True
        return user

    def member_payload(self, guild: Guild, person: Person) -> Json:
        return {
            "user": self.user_payload(person),
            "roles": [str(role_id) for role_id in guild.role_ids(person)],
            "joined_at": JOINED_AT,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }

    def channel_payload(self, channel: Channel) -> Json:
        guild = self.guild(channel.guild_id)
        overwrites = []
        if channel.denied_to_bot:
            overwrites.append(
                {"id": str(guild.bot_role_id), "type": ROLE_OVERWRITE, "allow": "0", "deny": str(channel.denied_to_bot)}
            )
        return {
            "id": str(channel.id),
            "type": TEXT_CHANNEL,
            "guild_id": str(guild.id),
            "name": channel.name,
            "position": channel.position,
            "permission_overwrites": overwrites,
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def guild_create_payload(self, guild: Guild) -> Json:
        def role(role_id: int, name: str, permissions: int, position: int, managed: bool = False) -> Json:
            return {
                "id": str(role_id),
                "name": name,
                "permissions": str(permissions),
                "position": position,
                "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False,
                "managed": managed,
                "mentionable": False,
                "icon": None,
                "unicode_emoji": None,
                "flags": 0,
            }

        channels = [self.channel_payload(channel) for channel in guild.channels]
        for channel in channels:
            del channel["guild_id"]  # GUILD_CREATE leaves it out of nested channels
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(self.people["moderator"].id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "mfa_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": str(guild.channels[0].id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                role(guild.id, "@everyone", EVERYONE_PERMISSIONS, 0),
                role(guild.moderator_role_id, "Moderators", MODERATOR_PERMISSIONS, 1),
                role(guild.bot_role_id, self.people["bot"].username, BOT_PERMISSIONS, 2, managed=True),
            ],
            "channels": channels,
            "threads": [],
            "members": [self.member_payload(guild, person) for person in self.people.values()],
            "member_count": len(self.people),
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": JOINED_AT,
            "lazy": True,
        }

    def command_data(
        self,
        command: Json,
        subcommand: list[str],
        values: Mapping[str, OptionValue],
        person: Person,
        focused: str | None = None,
    ) -> Json:
        """The ``data`` of a slash-command (or, with ``focused``, autocomplete) interaction.

        ``command`` is the registered command; option types come from it, as Discord's client
        would send them. The focused option carries the partial input as given.
        """
        resolved: Json = {}
        declared = command.get("options") or []
        data: Json = {
            "id": command["id"],
            "name": command["name"],
            "type": command["type"],
            "options": self._options(declared, subcommand, values, person, focused, resolved),
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    def _options(
        self,
        declared: list[Json],
        subcommand: list[str],
        values: Mapping[str, OptionValue],
        person: Person,
        focused: str | None,
        resolved: Json,
    ) -> list[Json]:
        by_name = {option["name"]: option for option in declared}
        if subcommand:
            chosen = by_name.get(subcommand[0])
            if chosen is None or chosen["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP):
                raise LookupError(f"no subcommand {subcommand[0]!r} among {sorted(by_name)}")
            inner = self._options(chosen.get("options") or [], subcommand[1:], values, person, focused, resolved)
            return [{"name": chosen["name"], "type": chosen["type"], "options": inner}]
        missing = [name for name, option in by_name.items() if option.get("required") and name not in values]
        if missing and focused is None:
            raise ValueError(f"required options missing: {missing}")
        sent = []
        for name, value in values.items():
            if name not in by_name:
                raise LookupError(f"no option {name!r} among {sorted(by_name)}")
            kind = by_name[name]["type"]
            if name == focused:
                sent.append({"name": name, "type": kind, "value": value, "focused": True})
                continue
            if (
                kind not in OPTION_VALUES
                or not isinstance(value, OPTION_VALUES[kind])
                or (isinstance(value, bool) and kind != BOOLEAN)
            ):
                raise TypeError(f"option {name!r} of type {kind} cannot take {value!r}")
            if kind == CHANNEL:
                sent.append({"name": name, "type": kind, "value": str(value)})
                resolved.setdefault("channels", {})[str(value)] = self._resolved_channel(int(value), person)
            else:
                sent.append({"name": name, "type": kind, "value": value})
        return sent

    def _resolved_channel(self, channel_id: int, person: Person) -> Json:
        """A channel option's entry in ``resolved``: the channel, with the member's permissions in it."""
        channel = self.channel(channel_id)
        if channel is None:
            raise LookupError(f"no channel {channel_id}")
        return self.channel_payload(channel) | {"permissions": str(self.permissions(person, channel))}

    def interaction_payload(
        self,
        *,
        interaction_id: int,
        token: str,
        kind: int,
        data: Json,
        channel: Channel,
        person: Person,
        message: Json | None = None,
    ) -> Json:
        """An INTERACTION_CREATE payload from a guild text channel."""
        guild = self.guild(channel.guild_id)
        member_permissions = str(self.permissions(person, channel))
        payload: Json = {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": self.channel_payload(channel) | {"permissions": member_permissions},
            "member": self.member_payload(guild, person) | {"permissions": member_permissions},
            "token": token,
            "version": 1,
            "app_permissions": str(self.permissions(self.people["bot"], channel)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        return payload


def _guild(number: int, name: str) -> Guild:
    guild_id = 1_310_000_000_000_000_000 + number
    channels = tuple(
        Channel(
            id=1_320_000_000_000_000_000 + number * 10 + position,
            guild_id=guild_id,
            name=channel_name,
            position=position,
        )
        for position, channel_name in enumerate(("general", "rates"))
    )
    return Guild(
        id=guild_id,
        name=name,
        moderator_role_id=1_330_000_000_000_000_000 + number,
        bot_role_id=1_340_000_000_000_000_000 + number,
        channels=channels,
    )
