"""`python -m bot chat`: try LiveTally without Discord, typing what a server member types."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import TextIO

from bot import __version__
from bot.calc import InputError
from bot.render import Reply
from bot.service import Service

OPTION_RE = re.compile(r"(?:^|\s)([a-z_]+):")
PROMPT = "you> "


def parse_options(text: str) -> dict[str, str]:
    """Discord-style `name:value` options: `viewers:150 hours:2 name:money gun`."""
    marks = list(OPTION_RE.finditer(text))
    options: dict[str, str] = {}
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        options[mark.group(1)] = text[mark.end():end].strip()
    return options


class Console:
    """Maps each console command to the same `Service` call its slash command makes."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.commands: dict[str, tuple[Callable[[str], Reply | str], str]] = {
            "ask": (self.ask, "/ask <question> — answer a question or compute the estimate it states"),
            "likes": (lambda _: self.topic("likes_pay"), "/likes — do likes pay?"),
            "views": (lambda _: self.topic("per_view_pay"), "/views — do views pay?"),
            "topic": (self.topic_cmd, "/topic <id or title> — show a topic"),
            "estimate": (self.estimate, "/estimate KIND name:value … — e.g. /estimate live viewers:150 hours:2 "
                                        "(kinds and names: python -m bot estimate --help)"),
            "gift": (self.gift, "/gift name:lion count:2 — what gifts pay"),
            "convert": (self.convert, "/convert amount:40000 from:diamonds [to:usd] [rate:…] — conversions"),
            "rates": (lambda _: self.service.rates_reply(None), "/rates — the rates every answer uses"),
            "about": (lambda _: self.about(), "/about — what LiveTally is"),
            "help": (lambda _: self.help(), "/help — this list"),
        }

    def ask(self, rest: str) -> Reply | str:
        question = rest.removeprefix("question:").strip()
        return self.service.ask(question) if question else "Usage: /ask <question>"

    def topic(self, topic_id: str) -> Reply | str:
        topic = self.service.find_topic(topic_id)
        return self.service.topic_reply(topic) if topic else f"No topic called {topic_id!r}. Try /help."

    def topic_cmd(self, rest: str) -> Reply | str:
        name = parse_options(rest).get("name", rest).strip()
        return self.topic(name) if name else "Usage: /topic <id or title>"

    def estimate(self, rest: str) -> Reply | str:
        kind, _, options = rest.strip().partition(" ")
        if not kind:
            return "Usage: /estimate KIND name:value …, e.g. /estimate diamonds amount:40000"
        return self._calc(lambda: self.service.estimate(kind.strip(), parse_options(options)))

    def gift(self, rest: str) -> Reply | str:
        options = parse_options(rest) or {"name": rest.strip()}
        return self._calc(lambda: self.service.estimate("gift", options))

    def convert(self, rest: str) -> Reply | str:
        o = parse_options(rest)
        return self._calc(lambda: self.service.convert(o.get("amount", ""), o.get("from", ""), o.get("to"), o.get("rate")))

    @staticmethod
    def _calc(run: Callable[[], Reply]) -> Reply | str:
        try:
            return run()
        except InputError as exc:
            return f"Can't do that: {exc}"

    def about(self) -> str:
        return self.service.about_text()

    def help(self) -> str:
        return "Commands:\n" + "\n".join(f"  {usage}" for _, usage in self.commands.values()) + "\n  /quit — leave"

    def handle(self, line: str) -> Reply | str | None:
        """One typed line → its reply; None means quit. Plain text is treated as /ask."""
        line = line.strip()
        if not line:
            return ""
        if not line.startswith("/"):
            return self.ask(line)
        name, _, rest = line[1:].partition(" ")
        if name in ("quit", "exit"):
            return None
        entry = self.commands.get(name.lower())
        return entry[0](rest) if entry else f"Unknown command /{shlex.quote(name)}. Try /help."


def run_console(service: Service, stdin: TextIO, stdout: TextIO, *, interactive: bool) -> int:
    console = Console(service)
    if interactive:
        stdout.write(f"LiveTally {__version__} console. Type /help, or just ask a question. Ctrl-D to leave.\n")
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        result = console.handle(line)
        if result is None:
            break
        text = result.markdown if isinstance(result, Reply) else result
        if text:
            stdout.write(text + "\n\n")
            stdout.flush()
    return 0
