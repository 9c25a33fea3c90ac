"""The singer-sdk private names the project relies on live in one module (tap_zohodesk/api/sdk.py),
and each is pinned here on the installed SDK: an SDK upgrade that renames or drops one fails here,
naming it, rather than deep inside a run."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import tap_zohodesk
import target_zohodesk
from tap_zohodesk.api import sdk

ROOT = Path(__file__).resolve().parent.parent
OURS = ("tap_zohodesk", "target_zohodesk")


def _sdk_class(where: tuple[str, str]) -> type:
    module, name = where
    return getattr(importlib.import_module(module), name)


def _params(table: dict) -> list:
    return [(where, name) for where, names in table.items() for name in names]


@pytest.mark.parametrize(("where", "name"), _params(sdk.ATTRIBUTES))
def test_each_private_attribute_is_set_by_its_sdk_class(where, name):
    cls = _sdk_class(where)
    assert not callable(getattr(cls, name, None)), f"{where[1]}.{name} is now a method"
    assert re.search(rf"self\.{name}\s*(:[^=\n]+)?=", inspect.getsource(cls.__init__)), \
        f"{where[1]}.__init__ no longer sets self.{name}"


@pytest.mark.parametrize(("where", "name"), _params(sdk.METHODS) + _params(sdk.OVERRIDDEN))
def test_each_private_method_is_a_method_of_its_sdk_class(where, name):
    cls = _sdk_class(where)
    assert inspect.isfunction(inspect.getattr_static(cls, name).__func__
                              if isinstance(inspect.getattr_static(cls, name), classmethod)
                              else inspect.getattr_static(cls, name)), f"{where[1]}.{name} is not a method"


@pytest.mark.parametrize("name", sorted(sdk.FUNCTIONS))
def test_each_private_function_is_where_we_import_it_from(name):
    assert inspect.isfunction(getattr(importlib.import_module(sdk.FUNCTIONS[name]), name))
    assert getattr(sdk, name) is getattr(importlib.import_module(sdk.FUNCTIONS[name]), name)


def _our_classes() -> list[type]:
    found = []
    for package in (tap_zohodesk, target_zohodesk):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            found += [c for c in vars(module).values() if inspect.isclass(c) and c.__module__ == module.__name__]
    return found


def test_every_private_hook_we_override_is_listed():
    listed = {(_sdk_class(where), name) for where, names in sdk.OVERRIDDEN.items() for name in names}
    overridden = set()
    for cls in _our_classes():
        sdk_bases = [b for b in cls.__mro__ if b.__module__.startswith("singer_sdk")]
        own = [b for b in cls.__mro__ if b.__module__.startswith(OURS)]
        for name in {n for b in own for n in vars(b) if n.startswith("_") and not n.startswith("__")} - {"_abc_impl"}:
            owner = next((b for b in sdk_bases if name in vars(b)), None)
            if owner is not None:
                overridden.add((owner, name))
    assert len(overridden) >= 6
    assert {(c.__name__, n) for c, n in overridden} <= {(c.__name__, n) for c, n in listed}


def test_no_other_module_reaches_a_private_sdk_name():
    names = {n for table in (sdk.ATTRIBUTES, sdk.METHODS) for names in table.values() for n in names}
    private_import = re.compile(r"^\s*(from|import) singer_sdk(\.\w+)*\._", re.M)
    reach = re.compile(r"\.(" + "|".join(sorted(names)) + r")\b")
    files = [p for folder in (*OURS, "scripts", "benchmarks") for p in sorted((ROOT / folder).rglob("*.py"))]
    assert len(files) > 50
    offenders = [str(p.relative_to(ROOT)) for p in files if p != ROOT / "tap_zohodesk" / "api" / "sdk.py"
                 and (private_import.search(p.read_text()) or reach.search(p.read_text()))]
    assert offenders == []
