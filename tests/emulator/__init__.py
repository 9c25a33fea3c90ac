"""Zoho Desk API emulator for tests, benchmarks and the offline demo."""

from tests.emulator.server import Emulator

__all__ = ["Emulator"]
