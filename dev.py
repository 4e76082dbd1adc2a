#!/usr/bin/env python3
"""Set up LiveTally on a fresh machine and run it, or run its tests.

    python3 dev.py            set up .venv, then run the bot (or, with no DISCORD_TOKEN, the console)
    python3 dev.py test [...] set up .venv, then run the whole test suite (extra args go to pytest)

Only the Python standard library is used here, so this works before anything is installed.
The virtual environment is rebuilt only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".livetally-deps"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> Path:
    """Create .venv and install the project with its test extras when pyproject.toml changed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    python = venv_python()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return python
    if not python.exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing dependencies …", flush=True)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)
    return python


def has_token() -> bool:
    if os.environ.get("DISCORD_TOKEN", "").strip():
        return True
    env_file = ROOT / ".env"
    if not env_file.exists():
        return False
    for line in env_file.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "DISCORD_TOKEN" and value.strip().strip("'\""):
            return True
    return False


def main(argv: list[str]) -> int:
    python = str(ensure_venv())
    if argv[:1] == ["test"]:
        return subprocess.call([python, "-m", "pytest", *argv[1:]], cwd=ROOT)
    if argv:
        return subprocess.call([python, "-m", "bot", *argv], cwd=ROOT)
    if has_token():
        return subprocess.call([python, "-m", "bot"], cwd=ROOT)
    print("No DISCORD_TOKEN set (see .env.example): starting the offline console instead.\n", flush=True)
    return subprocess.call([python, "-m", "bot", "chat"], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
