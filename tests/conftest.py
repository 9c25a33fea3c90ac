"""Shared fixtures: emulators on loopback and an in-process tap runner."""

from __future__ import annotations

import pytest

from tests.emulator import Emulator


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
