"""singer-sdk's standard tap and target suites, run against the emulator.

These suites are weak on their own (the key-uniqueness test cannot fail, target tests
write nowhere); the tests beside this file assert real data.
"""

from __future__ import annotations

import atexit

from singer_sdk.testing import SuiteConfig, get_tap_test_class, get_target_test_class
from singer_sdk.testing.suites import SingerTestSuite, target_tests
from singer_sdk.testing.target_tests import TargetRecordMissingKeyProperty

from tap_zohodesk.api.catalog import OBJECTS
from tap_zohodesk.tap import TapZohoDesk
from target_zohodesk.target import TargetZohoDesk
from tests.emulator import Emulator
from tests.helpers import catalog_for

# The SDK builds its test classes from a config at collection time, so the emulator they
# talk to must exist by then; it is small (seeded in milliseconds) and stops at exit.
_EMULATOR = Emulator(tickets=120, seed=1).start()
atexit.register(_EMULATOR.stop)

# Every stream selected, the opt-in ones too (discovery leaves those out by default).
TestTapZohoDesk = get_tap_test_class(
    TapZohoDesk,
    config=_EMULATOR.config(),
    suite_config=SuiteConfig(max_records_limit=500),
    catalog=catalog_for(_EMULATOR.config(), None),
)

# The same with unwind_nested: each nested array of objects as a stream of its own, after its parent.
# Some arrays are empty in every seeded record (comments carry no attachments): tests/test_unwind.py
# checks the unwound streams' rows against the emulator, this suite their schemas, keys and records.
TestTapZohoDeskUnwound = get_tap_test_class(
    TapZohoDesk,
    config=_EMULATOR.config(unwind_nested=True),
    suite_config=SuiteConfig(max_records_limit=500, ignore_no_records_for_streams=[
        name for spec in OBJECTS for name, _ in spec.unwound]),
    catalog=catalog_for(_EMULATOR.config(unwind_nested=True), None),
)

# A record without its key is an INSERT for this target, so the suite's "missing key
# property must fail" test does not apply; every other standard target test runs.
_TARGET_SUITE = SingerTestSuite(
    kind="target",
    tests=[t for t in target_tests.tests if t is not TargetRecordMissingKeyProperty],
)

TestTargetZohoDesk = get_target_test_class(
    TargetZohoDesk,
    config=_EMULATOR.config(dry_run=True),
    include_target_tests=False,
    custom_suites=[_TARGET_SUITE],
)
