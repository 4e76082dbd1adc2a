"""The command-line contract of PRODUCT.md, run as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=60, env=base)


def test_run_without_token_exits_2_and_says_so(tmp_path):
    # An empty .env beside nothing: point the settings at no file by running from the project root
    # with DISCORD_TOKEN explicitly empty.
    result = run(env={"DISCORD_TOKEN": ""})
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr


def test_ask_markdown():
    result = run("ask", "do you get paid for likes on tiktok live")
    assert result.returncode == 0
    assert "likes" in result.stdout.lower() and "Sources" in result.stdout and "Last reviewed" in result.stdout


def test_ask_json_object():
    result = run("ask", "--json", "do you get paid for likes on tiktok live")
    data = json.loads(result.stdout)
    assert data["kind"] == "answer" and data["topic"] == "likes_pay"
    assert data["text"] and data["sources"] and all("ref" in s for s in data["sources"])


def test_ask_json_stdin_one_object_per_line_in_order():
    questions = ["do likes pay", "how do i withdraw my diamonds", "asdfghjkl qwerty", "is it 18 to go live"]
    result = run("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(questions)
    objects = [json.loads(line) for line in lines]
    assert [o["topic"] for o in objects] == ["likes_pay", "withdraw_payout", None, "eligibility"]
    assert objects[2]["kind"] == "unknown"


def test_ask_without_question_is_a_usage_error():
    result = run("ask")
    assert result.returncode == 2 and "question" in result.stderr


def test_check_passes():
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_chat_console_takes_member_commands_and_ends_at_eof():
    lines = ["/likes", "/ask how do i cash out", "/topic name:scams", "/help", "/nonsense",
             "/estimate live viewers:150 hours:2", "/gift name:lion count:2", "/convert amount:40000 from:diamonds",
             "/estimate diamonds amount:-5", "what are 40k diamonds worth"]
    result = run("chat", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0
    out = result.stdout
    assert "Do likes pay" in out and "withdraw" in out.lower() and "scam" in out.lower()
    assert "/ask" in out and "Unknown command" in out
    assert "$60.00" in out and "$299.99" in out and "$200.00" in out
    assert "Can't do that: amount can't be negative" in out


def test_estimate_and_convert_commands():
    result = run("estimate", "views", "--views", "3.1M", "--qualified-share", "60", "--rpm", "0.72", "--json")
    data = json.loads(result.stdout)
    assert data["kind"] == "estimate" and data["estimate"]["typical"] == "1339.20"
    assert data["estimate"]["assumptions"] and "formula" in data["estimate"]
    assert "$1,339.20" in run("estimate", "views", "--views", "3.1M", "--qualified-share", "60", "--rpm", "0.72").stdout
    assert "200,000 diamonds" in run("convert", "1000", "usd", "diamonds").stdout
    bad = run("estimate", "live", "--viewers", "-5", "--hours", "2")
    assert bad.returncode == 2 and "negative" in bad.stderr and "Traceback" not in bad.stderr
    missing = run("estimate", "diamonds")
    assert missing.returncode == 2 and "--amount" in missing.stderr
