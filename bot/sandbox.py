"""Moderator-written answers: Jinja2's `SandboxedEnvironment`, a small allow-list of template
features, and time and output limits.

A server FAQ answer may show this server's live rates: "We pay {{ rate('diamond_usd') }} per
diamond." That is all moderators need, so that is all the language allows: text, variables,
`rate()`, a few harmless filters and `if`. Loops, macros, attribute access, includes and
arithmetic are refused when the answer is saved, with a message saying what is not allowed; and
every render runs under a deadline and an output budget as well, so nothing written can hang the
bot or flood a channel. The output can never ping: mentions are broken and every message is sent
with mentions disabled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from bot.render import no_pings

RENDER_SECONDS = 0.5
OUTPUT_MAX = 4000
SOURCE_MAX = 4000
ALLOWED_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d", "round", "e"})
ALLOWED_CALLS = frozenset({"rate", "default_rate"})
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Call, nodes.Filter,
    nodes.If, nodes.CondExpr, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Concat,
)
_FRIENDLY = {
    nodes.For: "loops ({% for %})", nodes.Macro: "macros", nodes.CallBlock: "call blocks", nodes.Assign: "{% set %}",
    nodes.AssignBlock: "{% set %}", nodes.Include: "includes", nodes.Import: "imports", nodes.FromImport: "imports",
    nodes.Extends: "{% extends %}", nodes.Block: "blocks", nodes.Getattr: "attribute access (x.y)",
    nodes.Getitem: "indexing (x[y])", nodes.With: "{% with %}", nodes.FilterBlock: "filter blocks",
}


class TemplateRejected(ValueError):
    """The moderator's text can't be used; the message says why, in words they understand."""


class _LimitedEnvironment(SandboxedEnvironment):
    """A sandbox whose every call checks the render deadline."""

    deadline: float = float("inf")

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N807 (jinja's signature)
        if time.monotonic() > self.deadline:
            raise TemplateRejected("The answer took too long to render.")
        return super().call(__context, __obj, *args, **kwargs)


class ModeratorTemplates:
    """Validates and renders moderator text under the rules in the module docstring."""

    def __init__(self, *, seconds: float = RENDER_SECONDS, output_max: int = OUTPUT_MAX,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.output_max = output_max
        self.clock = clock
        self.env = _LimitedEnvironment(autoescape=False, undefined=jinja2.StrictUndefined)
        self.env.filters = {name: f for name, f in self.env.filters.items() if name in ALLOWED_FILTERS}
        self.env.globals = {}
        self.env.tests = {name: t for name, t in self.env.tests.items() if name in ("defined", "none", "number")}

    def problems(self, source: str) -> list[str]:
        """Why this text can't be saved (empty when it can)."""
        if len(source) > SOURCE_MAX:
            return [f"Keep it under {SOURCE_MAX} characters."]
        try:
            tree = self.env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            return [f"Template syntax error on line {exc.lineno}: {exc.message}"]
        problems: list[str] = []
        for node in tree.find_all(nodes.Node):
            if not isinstance(node, _ALLOWED_NODES):
                what = next((label for kind, label in _FRIENDLY.items() if isinstance(node, kind)), type(node).__name__)
                problems.append(f"{what} are not allowed")
            elif isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
                problems.append(f"the filter |{node.name} is not allowed (allowed: {', '.join(sorted(ALLOWED_FILTERS))})")
            elif isinstance(node, nodes.Call) and not (isinstance(node.node, nodes.Name) and node.node.name in ALLOWED_CALLS):
                problems.append("only rate('key') and default_rate('key') can be called")
            elif isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in (*ALLOWED_CALLS, "server"):
                problems.append(f"unknown name {node.name!r} (you can use rate('key'), default_rate('key') and server)")
        return list(dict.fromkeys(problems))

    def check(self, source: str) -> None:
        problems = self.problems(source)
        if problems:
            raise TemplateRejected("That answer can't be saved: " + "; ".join(problems) + ".")

    def render(self, source: str, context: Mapping[str, Any]) -> str:
        """The text with its variables filled in, within the time and output limits; no pings."""
        self.check(source)
        try:
            template = self.env.from_string(source)
        except jinja2.TemplateError as exc:
            raise TemplateRejected(f"That answer has a template error: {exc}") from None
        self.env.deadline = self.clock() + self.seconds
        out: list[str] = []
        size = 0
        try:
            for chunk in template.generate(**context):
                size += len(chunk)
                if size > self.output_max:
                    raise TemplateRejected(f"The answer is too long once filled in (over {self.output_max} characters).")
                if self.clock() > self.env.deadline:
                    raise TemplateRejected("The answer took too long to render.")
                out.append(chunk)
        except jinja2.UndefinedError as exc:
            raise TemplateRejected(f"That answer uses something unknown: {exc.message}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateRejected(f"That answer tried something unsafe: {exc}") from None
        finally:
            self.env.deadline = float("inf")
        return no_pings("".join(out))
