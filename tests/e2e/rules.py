"""Discord's request rules the stand-in enforces: command schemas and message sizes.

Each check returns Discord's 400 body, ``{"code": 50035, "message": "Invalid Form Body",
"errors": {...}}``, with errors nested by the path of the offending field, or None if the
request passes. Limits: developers docs, application-commands.mdx and message.mdx.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

Json = dict[str, Any]

CHAT_INPUT = 1
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
MAX_NAME, MAX_DESCRIPTION, MAX_OPTIONS, MAX_CHOICES, MAX_COMMAND_SIZE = 32, 100, 25, 25, 8000
MAX_CHAT_INPUT_COMMANDS = 100
MAX_CONTENT, MAX_EMBEDS, MAX_EMBED_TOTAL = 2000, 10, 6000
EMBED_FIELD_LIMITS = {"title": 256, "description": 4096}
MAX_FIELDS, MAX_FIELD_NAME, MAX_FIELD_VALUE, MAX_FOOTER, MAX_AUTHOR = 25, 256, 1024, 2048, 256
MESSAGE_PARTS = ("content", "embeds", "components", "attachments", "poll", "sticker_ids")


class FormErrors:
    """Collects errors by field path into Discord's nested ``errors`` object."""

    def __init__(self) -> None:
        self.tree: Json = {}

    def add(self, path: Sequence[str | int], code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def body(self) -> Json | None:
        return {"code": 50035, "message": "Invalid Form Body", "errors": self.tree} if self.tree else None


def command_list_errors(commands: Any) -> Json | None:
    """Errors in a bulk-overwrite body (a list of application commands)."""
    errors = FormErrors()
    if not isinstance(commands, list):
        errors.add((), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return errors.body()
    if sum(command.get("type", CHAT_INPUT) == CHAT_INPUT for command in commands) > MAX_CHAT_INPUT_COMMANDS:
        errors.add((), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CHAT_INPUT_COMMANDS} or fewer in length.")
    seen: set[tuple[int, str]] = set()
    for index, command in enumerate(commands):
        kind = command.get("type", CHAT_INPUT)
        if (kind, command.get("name")) in seen:
            errors.add((index,), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
        seen.add((kind, command.get("name")))
        if kind == CHAT_INPUT:
            _check_named(errors, (index,), command)
            _check_options(errors, (index,), command.get("options") or [])
        else:
            _check_length(errors, (index, "name"), command.get("name"), 1, MAX_NAME)
        if _size(command) > MAX_COMMAND_SIZE:
            errors.add((index,), "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size ({MAX_COMMAND_SIZE})")
    return errors.body()


def message_errors(body: Json, *, creating: bool) -> Json | None:
    """Errors in a message body (create or edit): content and embed sizes, emptiness."""
    if creating and not any(body.get(part) for part in MESSAGE_PARTS):
        return {"code": 50006, "message": "Cannot send an empty message"}
    errors = FormErrors()
    _check_length(errors, ("content",), body.get("content") or "", 0, MAX_CONTENT)
    embeds = body.get("embeds") or []
    _check_count(errors, ("embeds",), embeds, MAX_EMBEDS)
    for index, embed in enumerate(embeds):
        path = ("embeds", index)
        for key, limit in EMBED_FIELD_LIMITS.items():
            _check_length(errors, (*path, key), embed.get(key) or "", 0, limit)
        _check_length(errors, (*path, "footer", "text"), (embed.get("footer") or {}).get("text") or "", 0, MAX_FOOTER)
        _check_length(errors, (*path, "author", "name"), (embed.get("author") or {}).get("name") or "", 0, MAX_AUTHOR)
        fields = embed.get("fields") or []
        _check_count(errors, (*path, "fields"), fields, MAX_FIELDS)
        for number, embed_field in enumerate(fields):
            _check_length(errors, (*path, "fields", number, "name"), embed_field.get("name"), 1, MAX_FIELD_NAME)
            _check_length(errors, (*path, "fields", number, "value"), embed_field.get("value"), 1, MAX_FIELD_VALUE)
    if sum(map(_embed_size, embeds)) > MAX_EMBED_TOTAL:
        errors.add(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}")
    return errors.body()


def choices_errors(data: Json) -> Json | None:
    """Errors in an autocomplete result: at most 25 choices, each named and valued within limits."""
    errors = FormErrors()
    choices = data.get("choices")
    if not isinstance(choices, list):
        errors.add(("choices",), "BASE_TYPE_REQUIRED", "This field is required")
        return errors.body()
    _check_count(errors, ("choices",), choices, MAX_CHOICES)
    _check_choices(errors, (), choices)
    return errors.body()


def _check_named(errors: FormErrors, path: tuple[str | int, ...], item: Json) -> None:
    """Name and description of a slash command or option, and of each of their localizations."""
    names: list[tuple[tuple[str | int, ...], Any]] = [((*path, "name"), item.get("name"))]
    names += [
        ((*path, "name_localizations", locale), name) for locale, name in (item.get("name_localizations") or {}).items()
    ]
    for name_path, name in names:
        if _check_length(errors, name_path, name, 1, MAX_NAME) and not _valid_name(name):
            errors.add(name_path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    descriptions: list[tuple[tuple[str | int, ...], Any]] = [((*path, "description"), item.get("description"))]
    descriptions += [
        ((*path, "description_localizations", locale), text)
        for locale, text in (item.get("description_localizations") or {}).items()
    ]
    for description_path, text in descriptions:
        _check_length(errors, description_path, text, 1, MAX_DESCRIPTION)


def _check_options(errors: FormErrors, path: tuple[str | int, ...], options: list[Json]) -> None:
    _check_count(errors, (*path, "options"), options, MAX_OPTIONS)
    names: set[Any] = set()
    optional_seen = False
    for index, option in enumerate(options):
        option_path = (*path, "options", index)
        _check_named(errors, option_path, option)
        if option.get("name") in names:
            errors.add(
                (*option_path, "name"), "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS", "Option names must be unique"
            )
        names.add(option.get("name"))
        if option.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
            _check_options(errors, option_path, option.get("options") or [])
            continue
        if option.get("required") and optional_seen:
            errors.add(
                option_path,
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            )
        optional_seen = optional_seen or not option.get("required")
        choices = option.get("choices") or []
        _check_count(errors, (*option_path, "choices"), choices, MAX_CHOICES)
        _check_choices(errors, option_path, choices)


def _check_choices(errors: FormErrors, path: tuple[str | int, ...], choices: list[Json]) -> None:
    for number, choice in enumerate(choices):
        _check_length(errors, (*path, "choices", number, "name"), choice.get("name"), 1, MAX_DESCRIPTION)
        if isinstance(choice.get("value"), str):
            _check_length(errors, (*path, "choices", number, "value"), choice["value"], 1, MAX_DESCRIPTION)


def _check_length(errors: FormErrors, path: Sequence[str | int], text: Any, low: int, high: int) -> bool:
    if isinstance(text, str) and low <= len(text) <= high:
        return True
    if low == 0:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")
    else:
        errors.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
    return False


def _check_count(errors: FormErrors, path: Sequence[str | int], items: list[Any], limit: int) -> None:
    if len(items) > limit:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _valid_name(name: str) -> bool:
    """Discord's ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``, lowercase where a lowercase exists."""
    return name == name.lower() and all(map(_is_name_character, name))


def _is_name_character(character: str) -> bool:
    return (
        character in "-_'"
        or unicodedata.category(character)[0] in "LN"
        or unicodedata.name(character, "").startswith(("DEVANAGARI ", "THAI "))
    )


def _size(item: Json) -> int:
    """Characters counted toward the 8000 limit; of localized fields only the longest variant counts."""
    choices = item.get("choices") or []
    return (
        _longest(item, "name")
        + _longest(item, "description")
        + sum(_size(option) for option in item.get("options") or [])
        + sum(_longest(choice, "name") + len(str(choice.get("value", ""))) for choice in choices)
    )


def _longest(item: Json, key: str) -> int:
    variants = [item.get(key) or "", *(item.get(f"{key}_localizations") or {}).values()]
    return max(len(variant) for variant in variants)


def _embed_size(embed: Json) -> int:
    fields = embed.get("fields") or []
    parts = [
        embed.get("title"),
        embed.get("description"),
        (embed.get("footer") or {}).get("text"),
        (embed.get("author") or {}).get("name"),
        *(embed_field.get("name") for embed_field in fields),
        *(embed_field.get("value") for embed_field in fields),
    ]
    return sum(len(part) for part in parts if part)
