"""Reading and checking the YAML data files. Checks append to a problem list so a loader reports all at once."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from bot.calc.errors import DataError

AS_OF_RE = re.compile(r"^(undated|\d{4}(-\d{2}(-\d{2})?)?)$")
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when PyYAML has it


def read_yaml(path: Path) -> object:
    """The parsed document, or `DataError` when the file can't be read or isn't valid YAML."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        raise DataError(str(path), [f"not valid YAML: {exc}"]) from exc


def mapping(value: object, where: str, problems: list[str]) -> Mapping[str, object]:
    """`value` if it is a mapping with string keys; otherwise records a problem and returns {}."""
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        return value
    problems.append(f"{where}: expected a mapping of names to entries")
    return {}


def check_fields(entry: Mapping[str, object], where: str, required: Collection[str],
                 optional: Collection[str], problems: list[str]) -> None:
    """Records missing required fields and fields that aren't known (the field readers then skip missing ones)."""
    problems.extend(f"{where}: missing field '{name}'" for name in required if name not in entry)
    known = {*required, *optional}
    problems.extend(f"{where}: unknown field '{name}'" for name in entry if name not in known)


def number(entry: Mapping[str, object], key: str, where: str, problems: list[str]) -> Decimal | None:
    """A finite number field (int, float or numeric string), as an exact Decimal; None if missing or bad."""
    if key not in entry:
        return None
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        problems.append(f"{where}.{key}: expected a number, got {value!r}")
        return None
    try:
        result = Decimal(str(value).replace("_", ""))
    except InvalidOperation:
        problems.append(f"{where}.{key}: expected a number, got {value!r}")
        return None
    if not result.is_finite():
        problems.append(f"{where}.{key}: must be a finite number, got {value!r}")
        return None
    return result


def text(entry: Mapping[str, object], key: str, where: str, problems: list[str]) -> str | None:
    """A non-empty text field, stripped; None if missing or bad."""
    if key not in entry:
        return None
    value = entry[key]
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.append(f"{where}.{key}: expected non-empty text, got {value!r}")
    return None


def flag(entry: Mapping[str, object], key: str, where: str, problems: list[str]) -> bool:
    """A true/false field, false when missing."""
    value = entry.get(key, False)
    if isinstance(value, bool):
        return value
    problems.append(f"{where}.{key}: expected true or false, got {value!r}")
    return False


def as_of(entry: Mapping[str, object], key: str, where: str, problems: list[str]) -> str | None:
    """A date field as YYYY-MM-DD, YYYY-MM or YYYY (a real, not future, date), or 'undated'."""
    if key not in entry:
        return None
    value = entry[key]
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not AS_OF_RE.match(value):
        problems.append(f"{where}.{key}: expected a date like 2025-02-06, 2025-02, 2025 or 'undated', "
                        f"got {value!r}")
        return None
    if value != "undated":
        parts = [int(p) for p in value.split("-")] + [1, 1]
        try:
            day = date(parts[0], parts[1], parts[2])
        except ValueError:
            problems.append(f"{where}.{key}: {value!r} is not a real date")
            return None
        if day > date.today():
            problems.append(f"{where}.{key}: {value!r} is in the future")
            return None
    return value
