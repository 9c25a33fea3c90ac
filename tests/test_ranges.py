"""A first read in parallel time ranges (ranges.py) over rows crowded late in the span: the busiest
range is cut while it is read, every row comes once, and a read stopped after a cut resumes exactly."""

from __future__ import annotations

import copy

from tap_zohodesk.api.client import ZohoDeskClient
from tap_zohodesk.ranges import DONE, read_ranges, split
from tap_zohodesk.windows import Search
from tests.emulator import Emulator
from tests.helpers import crowd_late, run_tap

KEY = "modifiedTime"
FLOOR, TOP = "2000-01-01T00:00:00.000Z", "2099-01-01T00:00:00.000Z"


def test_a_first_read_over_crowded_times_cuts_the_busiest_range_and_reads_every_row_once():
    with Emulator(tickets=6000, seed=4) as emu:
        crowd_late(emu)
        emu.reset_counts()
        result = run_tap(emu.config(max_concurrency=4), streams=["tickets"])
        ids = result.ids("tickets")
        assert len(ids) > 0
        assert sorted(ids) == sorted(emu.store.tables["tickets"].by_id)  # each once
        calls = emu.calls["GET /tickets/search"]
        assert calls <= 6000 // 100 + 2 + 2 * 4 + 4, calls  # the pages, 2 probes, a short page per range and cut
        assert "time_ranges" not in result.state["bookmarks"]["tickets"]


def _search(client: ZohoDeskClient) -> Search:
    return Search(lambda query: client.get("tickets/search", query), "tickets/search", {})


def test_a_read_stopped_after_a_cut_resumes_every_range_and_loses_nothing():
    with Emulator(tickets=6000, seed=4) as emu:
        crowd_late(emu)
        client = ZohoDeskClient(emu.config(max_concurrency=4))
        probe = _search(client)
        first, _ = probe.probe(KEY, FLOOR, TOP)
        ranges = split(first[0][KEY], probe.latest(KEY, FLOOR, TOP), TOP, 4)

        def progress(index: int, at: str) -> None:
            ranges[index][2] = at

        seen: list[str] = []
        reader = read_ranges(lambda: _search(client), KEY, ranges, progress, workers=4, min_rows=200)
        for row in reader:
            seen.append(row["id"])
            if len(ranges) > 4 and any(r[2] not in (DONE, r[0]) for r in ranges[4:]):
                break  # a cut range has started: stop here, as a killed run would
        reader.close()
        saved = copy.deepcopy(ranges)
        assert len(saved) > 4 and any(r[2] != DONE for r in saved)
        for (_, high, _), (low, _, _) in zip(sorted(saved)[:-1], sorted(saved)[1:], strict=True):
            assert high < low  # the ranges still split the span, none overlapping

        def resumed(index: int, at: str) -> None:
            saved[index][2] = at

        again = [row["id"] for row in read_ranges(lambda: _search(client), KEY, saved, resumed, workers=4)]
        assert all(r[2] == DONE for r in saved)
        assert len(seen) > 0 and len(again) > 0
        assert set(seen) | set(again) == set(emu.store.tables["tickets"].by_id)  # nothing lost
        assert len(again) == len(set(again))


def test_one_range_on_two_workers_is_cut_where_half_its_rows_lie():
    """An idle worker does not wait for a range to end: it takes the far half, by rows (from the
    answers' counts), of a range holding more than its share, so both workers read about as much."""
    with Emulator(tickets=3000, seed=4) as emu:
        crowd_late(emu)
        client = ZohoDeskClient(emu.config(max_concurrency=2))
        probe = _search(client)
        first, count = probe.probe(KEY, FLOOR, TOP)
        ranges = [[first[0][KEY], TOP, first[0][KEY]]]

        def progress(index: int, at: str) -> None:
            ranges[index][2] = at

        emu.reset_counts()
        ids = [row["id"] for row in read_ranges(lambda: _search(client), KEY, ranges, progress, workers=2,
                                                 min_rows=200)]
        assert count == len(emu.store.tables["tickets"].by_id) and len(ids) == count
        assert sorted(ids) == sorted(emu.store.tables["tickets"].by_id)  # each once
        assert len(ranges) >= 2 and all(r[2] == DONE for r in ranges)
        keys = sorted(r[KEY] for r in emu.store.tables["tickets"].rows)
        held = [sum(1 for k in keys if low <= k <= high) for low, high, _ in ranges]
        assert sum(held) == count and max(held) <= 0.6 * count, held  # no range holds most of the rows
        assert emu.calls["GET /tickets/search"] <= count // 100 + 2 * len(ranges) + 1
