"""Shared fixtures: emulators on loopback and an in-process tap runner; and a suite that leaves nothing.

Every temporary file of the session (pytest's tmp_path, the Meltano projects of tests/warehouses.py,
PostgreSQL clusters, and whatever the plugins' subprocesses write to TMPDIR) lands in one private folder,
deleted at the end. After the last test, the session checks that nothing but pytest's own folders is
left in it and that `git status` is what it was before the first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.emulator import Emulator
from tests.warehouses import ROOT, drop_meltano_project

_PRIVATE: dict[str, Path] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    root = Path(tempfile.mkdtemp(prefix="zohodesk-tests-"))
    root.chmod(0o755)  # the throwaway PostgreSQL runs as another user and must reach its folder
    _PRIVATE["root"] = root
    os.environ["TMPDIR"] = str(root)  # subprocesses (meltano, plugins, initdb) inherit it
    tempfile.tempdir = str(root)


def pytest_unconfigure(config):
    root = _PRIVATE.pop("root", None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


def _git_status() -> str | None:
    try:
        proc = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


@pytest.fixture(scope="session", autouse=True)
def _leaves_nothing_behind():
    """After the suite: no file left in the session's temporary folder but pytest's own, git status unchanged."""
    status = _git_status()
    yield
    root = _PRIVATE["root"]
    left = sorted(p.name for p in root.iterdir() if not p.name.startswith("pytest-of-"))
    assert not left, f"tests left {len(left)} temporary file(s) or folder(s) in {root}: {left[:10]}"
    assert _git_status() == status, f"tests changed the repository:\n{_git_status()}"


@pytest.fixture(autouse=True)
def _own_meltano_project():
    """Each test's Meltano project (made when the test first runs meltano) is deleted after it."""
    yield
    drop_meltano_project()


@pytest.fixture(scope="session")
def shared_emulator():
    """A read-only emulator shared by tests that never change its data."""
    with Emulator(tickets=1000, seed=7) as emu:
        yield emu


@pytest.fixture
def emulator():
    """A fresh emulator per test, for tests that change data or inject faults."""
    with Emulator(tickets=300, seed=11) as emu:
        yield emu


@pytest.fixture(scope="module")
def small_emulator():
    """A small read-only emulator per test module (every object seeded)."""
    with Emulator(tickets=60, seed=33) as emu:
        yield emu
