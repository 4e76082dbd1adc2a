"""Checks of outgoing request bodies: against Discord's published OpenAPI description, and for pings.

The description is ``../shared/discord-api-spec/openapi.json`` beside the project root (OpenAPI
3.1, so its schemas are JSON Schema 2020-12). ``load_spec()`` returns None where it is missing,
and the tests that need it skip.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = PROJECT_ROOT.parent / "shared" / "discord-api-spec" / "openapi.json"
_SPEC_URI = "urn:discord:openapi"

MESSAGE_CALLBACK_TYPES = frozenset({4, 7})  # CHANNEL_MESSAGE_WITH_SOURCE, UPDATE_MESSAGE
_CALLBACK = re.compile(r"/interactions/\d+/[^/]+/callback")
_MESSAGE_ROUTES = [
    ("POST", re.compile(r"/webhooks/\d+/[^/]+")),
    ("PATCH", re.compile(r"/webhooks/\d+/[^/]+/messages/[^/]+")),
    ("POST", re.compile(r"/channels/\d+/messages")),
    ("PATCH", re.compile(r"/channels/\d+/messages/\d+")),
]
_PINGS = ("everyone", "roles", "users")


class ApiSpec:
    """Discord's HTTP API description: which operation a path is, and what its body must look like."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._paths: dict[str, dict[str, Any]] = document["paths"]
        self._registry = Registry().with_resource(_SPEC_URI, DRAFT202012.create_resource(document))
        # Literal segments win over parameters: /messages/@original before /messages/{message_id}.
        self._templates = sorted(((_template_regex(t), t) for t in self._paths), key=lambda pair: pair[1].count("{"))
        self._validators: dict[tuple[str, str], Draft202012Validator] = {}

    def template(self, path: str) -> str | None:
        """The spec's path template for a concrete path, e.g. /channels/{channel_id}/messages."""
        return next((template for regex, template in self._templates if regex.fullmatch(path)), None)

    def validate_request(self, method: str, path: str, body: Any) -> list[str]:
        """Why a request (path relative to /api/v10, JSON body or None) does not match the spec."""
        template = self.template(path)
        if template is None:
            return [f"{method} {path}: not in Discord's API"]
        operation = self._paths[template].get(method.lower())
        if operation is None:
            return [f"{method} {template}: not in Discord's API"]
        request_body = operation.get("requestBody")
        if request_body is None or "application/json" not in request_body["content"]:
            return [] if body is None else [f"{method} {template}: takes no JSON body"]
        if body is None:
            return [f"{method} {template}: a JSON body is required"] if request_body.get("required") else []
        validator = self._validator(method.lower(), template)
        return [f"{method} {template}: {_describe(error)}" for error in validator.iter_errors(body)]

    def _validator(self, method: str, template: str) -> Draft202012Validator:
        key = (method, template)
        if key not in self._validators:
            pointer = "/".join(
                part.replace("~", "~0").replace("/", "~1")
                for part in ("paths", template, method, "requestBody", "content", "application/json", "schema")
            )
            self._validators[key] = Draft202012Validator({"$ref": f"{_SPEC_URI}#/{pointer}"}, registry=self._registry)
        return self._validators[key]


@cache
def load_spec(path: Path = SPEC_PATH) -> ApiSpec | None:
    """The spec at ``path``, parsed once per process; None if the file is not there."""
    if not path.is_file():
        return None
    return ApiSpec(json.loads(path.read_text(encoding="utf-8")))


def mention_problems(method: str, path: str, body: Any) -> list[str]:
    """Why a message-bearing request could ping someone; [] for it and for every other request.

    Message-bearing: interaction callbacks that send or update a message, followups, and creates
    and edits of messages. Each must carry ``allowed_mentions`` that allows no everyone/here,
    role or user ping and no reply ping, since a message without it parses mentions by default.
    """
    message = _message_of(method, path, body)
    if message is None:
        return []
    where = f"{method} {path}"
    allowed = message.get("allowed_mentions")
    if not isinstance(allowed, dict):
        return [f"{where}: no allowed_mentions, so mentions in it ping"]
    problems = [f"{where}: allowed_mentions parses {kind}" for kind in _PINGS if kind in (allowed.get("parse") or [])]
    problems += [f"{where}: allowed_mentions lists {kind}" for kind in ("users", "roles") if allowed.get(kind)]
    if allowed.get("replied_user"):
        problems.append(f"{where}: allowed_mentions pings the replied-to user")
    return problems


def _message_of(method: str, path: str, body: Any) -> dict[str, Any] | None:
    if not isinstance(body, dict):
        return None
    if method == "POST" and _CALLBACK.fullmatch(path):
        return body.get("data") or {} if body.get("type") in MESSAGE_CALLBACK_TYPES else None
    if any(method == route_method and regex.fullmatch(path) for route_method, regex in _MESSAGE_ROUTES):
        return body
    return None


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


def _describe(error: ValidationError) -> str:
    """The error in the one alternative of an anyOf/oneOf that the body was evidently meant to be."""
    while error.context:
        branches: dict[Any, list[ValidationError]] = defaultdict(list)
        for sub_error in error.context:
            branches[sub_error.relative_schema_path[0]].append(sub_error)
        meant = [errors for errors in branches.values() if not any(map(_rules_out_branch, errors))]
        if len(meant) != 1:
            break
        error = best_match(meant[0])
    return f"{error.json_path}: {error.message}"


def _rules_out_branch(error: ValidationError) -> bool:
    """Whether an error shows the body is another kind of thing: wrong type, or wrong discriminator."""
    depth = len(error.relative_path)
    return (error.validator == "type" and depth == 0) or (error.validator in ("enum", "const") and depth <= 1)
