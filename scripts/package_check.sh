#!/usr/bin/env bash
# Installs like a package: build the sdist and the wheel from a copy of the tree (the checkout stays
# untouched), install the wheel, not editable, into a clean venv, and from outside the checkout run the
# installed plugins: tap-zohodesk --about, target-zohodesk --version, and a small sync against the emulator
# (which needs the stream schemas shipped as package data). Run by `make package-check` and .ci/run.
#   BUILD_PYTHON: the Python with `build` (default .venv/bin/python); PYTHON: the one of the clean venv.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
fail() { echo "package check failed: $*" >&2; exit 1; }
BUILD_PYTHON="${BUILD_PYTHON:-$REPO/.venv/bin/python}"
PYTHON="${PYTHON:-python3}"
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)
[ -n "$VERSION" ] || fail "no version in pyproject.toml"
work=$(mktemp -d "${TMPDIR:-/tmp}/zohodesk-package-XXXXXX")
EMULATOR_PID=""
trap '[ -n "$EMULATOR_PID" ] && kill "$EMULATOR_PID" 2>/dev/null; rm -rf "$work"' EXIT

mkdir "$work/src"
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then  # what git tracks, plus new files not ignored
  git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - | tar -xf - -C "$work/src"
else
  tar --exclude=./.venv --exclude=./.meltano --exclude=./output --exclude=./build -cf - . | tar -xf - -C "$work/src"
fi
"$BUILD_PYTHON" -m build --outdir "$work/dist" "$work/src" > "$work/build.log" 2>&1 \
  || { tail -20 "$work/build.log" >&2; fail "python -m build"; }
wheel=$(ls "$work"/dist/*.whl)
sdist=$(ls "$work"/dist/*.tar.gz)
schemas=$(ls tap_zohodesk/schemas/*.json | wc -l)
in_wheel=$("$BUILD_PYTHON" -c "import sys, zipfile; print(sum(n.startswith('tap_zohodesk/schemas/') and n.endswith('.json') for n in zipfile.ZipFile(sys.argv[1]).namelist()))" "$wheel")
in_sdist=$(tar -tzf "$sdist" | grep -c '/tap_zohodesk/schemas/.*\.json$' || true)
[ "$in_wheel" -eq "$schemas" ] && [ "$in_sdist" -eq "$schemas" ] \
  || fail "schemas: $schemas in the tree, $in_wheel in the wheel, $in_sdist in the sdist"
echo "built $(basename "$sdist") and $(basename "$wheel"): $schemas schemas in each"

"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$wheel" > "$work/pip.log" 2>&1 || { tail -20 "$work/pip.log" >&2; fail "pip install"; }
cd "$work"  # from here on nothing of the checkout is importable: only what the wheel installed
unset PYTHONPATH
where=$("$work/venv/bin/python" -c "import tap_zohodesk, target_zohodesk; print(tap_zohodesk.__file__, target_zohodesk.__file__)")
case "$where" in "$work/venv/"*" $work/venv/"*) ;; *) fail "imported from $where, not the clean venv";; esac

about=$("$work/venv/bin/tap-zohodesk" --about --format json) || fail "tap-zohodesk --about"
echo "$about" | "$work/venv/bin/python" -c "
import json, sys
about = json.load(sys.stdin)
assert about['name'] == 'tap-zohodesk' and about['version'] == '$VERSION', (about['name'], about['version'])
print(f\"tap-zohodesk --about: {about['name']} {about['version']}, {len(about['settings']['properties'])} settings\")"
for plugin in tap-zohodesk target-zohodesk; do
  line=$("$work/venv/bin/$plugin" --version)
  case "$line" in "$plugin v$VERSION, "*) echo "$plugin --version: $line";; *) fail "$plugin --version says: $line";; esac
done

(cd "$REPO" && PYTHONPATH="$REPO" exec "$BUILD_PYTHON" -m tests.emulator --port 0 --tickets 20 \
  --config-out "$work/config.json" > "$work/emulator.log" 2>&1) &
EMULATOR_PID=$!
for _ in $(seq 1 150); do grep -q "Zoho Desk emulator on" "$work/emulator.log" && break; sleep 0.2; done
grep -q "Zoho Desk emulator on" "$work/emulator.log" || fail "the emulator did not start: $(tail -1 "$work/emulator.log")"
"$work/venv/bin/tap-zohodesk" --config "$work/config.json" > "$work/sync.jsonl" 2> "$work/sync.log" \
  || { tail -5 "$work/sync.log" >&2; fail "tap-zohodesk sync"; }
"$work/venv/bin/python" - "$work/sync.jsonl" <<'PY'
import collections, json, sys
kinds, streams = collections.Counter(), collections.Counter()
for line in open(sys.argv[1]):
    message = json.loads(line)
    kinds[message["type"]] += 1
    if message["type"] == "RECORD":
        streams[message["stream"]] += 1
assert kinds["RECORD"] > 0 and streams["tickets"] > 0 and kinds["STATE"] > 0, dict(kinds)
print(f"small sync from the wheel: {kinds['RECORD']} records of {len(streams)} streams "
      f"({streams['tickets']} tickets), {kinds['SCHEMA']} schemas, {kinds['STATE']} states")
PY
