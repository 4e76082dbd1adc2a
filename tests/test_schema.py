"""The slash-command schema Discord receives on `sync`: within Discord's limits, and snapshotted so
that a renamed command or option is a deliberate diff (LIVETALLY_UPDATE_SNAPSHOT=1 rewrites it)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from bot.client import command_schema

SNAPSHOT = Path(__file__).with_name("snapshots") / "commands.json"
NAME_RE = re.compile(r"^[-_\w]{1,32}$")


def _walk(option: dict, path: str, problems: list[str]) -> int:
    """Check one command/option node; return the characters it counts towards the 8,000 limit."""
    name, desc = option["name"], option.get("description", "")
    if not NAME_RE.match(name) or name != name.lower():
        problems.append(f"{path}: name {name!r} breaks Discord's rules")
    if not 1 <= len(desc) <= 100:
        problems.append(f"{path}: description is {len(desc)} characters (1–100)")
    chars = len(name) + len(desc)
    children = option.get("options", [])
    if len(children) > 25:
        problems.append(f"{path}: {len(children)} options (max 25)")
    seen_optional = False
    for child in children:
        if child.get("type") not in (1, 2):
            if child.get("required"):
                if seen_optional:
                    problems.append(f"{path} {child['name']}: required option after an optional one")
            else:
                seen_optional = True
        choices = child.get("choices") or []
        if len(choices) > 25:
            problems.append(f"{path} {child['name']}: {len(choices)} choices (max 25)")
        chars += sum(len(c["name"]) + len(str(c["value"])) for c in choices)
        chars += _walk(child, f"{path} {child['name']}", problems)
    return chars


async def test_schema_within_discord_limits(harness):
    schema = command_schema(harness.bot.tree)
    assert 0 < len(schema) <= 100
    problems: list[str] = []
    for command in schema:
        total = _walk(command, "/" + command["name"], problems)
        if total > 8000:
            problems.append(f"/{command['name']}: {total} characters in all (max 8,000)")
    assert not problems, "\n".join(problems)


async def test_schema_snapshot(harness):
    schema = sorted(command_schema(harness.bot.tree), key=lambda c: c["name"])
    text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("LIVETALLY_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run once with LIVETALLY_UPDATE_SNAPSHOT=1 and commit it"
    assert text == SNAPSHOT.read_text(encoding="utf-8"), "command schema changed: review, then rerun with LIVETALLY_UPDATE_SNAPSHOT=1"
