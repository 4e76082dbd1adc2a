"""Shared fixtures: the real knowledge base, renderer and service, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file from ../shared, or skip the test with the reason when it is not beside the project."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} is not present beside the project")
    return path


@pytest.fixture(scope="session")
def service():
    from bot.service import build_service

    return build_service()


@pytest.fixture
async def harness(service, tmp_path):
    """The real bot (every extension loaded, a fresh database) driven through its CommandTree."""
    from bot.client import LiveTallyBot
    from bot.resources import open_test_resources
    from tests.harness import Harness

    resources = await open_test_resources(service, tmp_path / "test.db", edit_interval=0, channel_interval=0,
                                          backoff_start=0.01)
    bot = LiveTallyBot(resources=resources)
    await bot._async_setup_hook()
    await bot.setup_hook()
    assert not bot.failed_extensions, bot.failed_extensions
    h = Harness(bot)
    h.install()
    try:
        yield h
    finally:
        await bot.close()
