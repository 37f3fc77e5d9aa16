#!/usr/bin/env bash
# Fuzz smoke run: builds build-fuzz (clang, libFuzzer + ASan + UBSan) if needed,
# then runs every fuzz_* target for FUZZ_SECONDS (default 20) on a scratch COPY
# of its seed corpus fuzz/corpus/<name>/ (the tree's corpus is never written).
# Prints one line per target, "fuzz NAME: ok ..." or "fuzz NAME: FAIL ...",
# keeps crash inputs under $FUZZ_ARTIFACTS (default build-fuzz/fuzz-artifacts),
# and exits 1 if any target crashed, leaked, hit UB, timed out or did not build.
#
#   scripts/fuzz-smoke.sh [target...]       e.g. scripts/fuzz-smoke.sh roster keyfile
#   FUZZ_SECONDS=60 scripts/fuzz-smoke.sh
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-20}
case $dir in /*) abs_dir=$dir ;; *) abs_dir=$root/$dir ;; esac
artifacts=${FUZZ_ARTIFACTS:-$abs_dir/fuzz-artifacts}

if [[ ! -f $dir/build.ninja ]]; then
  if ! command -v clang >/dev/null; then
    echo "fuzz build: FAIL (clang not found)"
    exit 1
  fi
  log=$(mktemp)
  if ! CC=clang meson setup "$dir" -Dfuzzing=true -Db_sanitize=address,undefined \
       -Db_lundef=false >"$log" 2>&1; then
    cat "$log"; rm -f "$log"
    echo "fuzz build: FAIL (meson setup)"
    exit 1
  fi
  rm -f "$log"
fi
log=$(mktemp)
if ! ninja -C "$dir" >"$log" 2>&1; then
  tail -n 40 "$log"; rm -f "$log"
  echo "fuzz build: FAIL (ninja)"
  exit 1
fi
rm -f "$log"

# Input size caps per target: a little above the largest valid input worth mutating.
max_len_for() {
  case $1 in
    keyfile) echo 1024 ;;        # key files are at most 273 bytes
    clip_meta) echo 16384 ;;
    roster) echo 65536 ;;        # entries are at most 4096 bytes each
    clip_reader) echo 65536 ;;
    *) echo 65536 ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
# UBSan only reports by default; make every report a crash libFuzzer sees.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for exe in "$dir"/fuzz/fuzz_* "$dir"/fuzz/*/fuzz_*; do
    [[ -f $exe && -x $exe ]] || continue
    name=$(basename "$exe"); targets+=("${name#fuzz_}")
  done
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz build: FAIL (no fuzz_* targets in $dir/fuzz)"
  exit 1
fi

mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for name in "${targets[@]}"; do
  exe=$(find "$dir/fuzz" -name "fuzz_$name" -type f -perm -u+x | head -n 1)
  if [[ -z $exe ]]; then
    echo "fuzz $name: FAIL (no executable fuzz_$name)"
    status=1; continue
  fi
  corpus=$scratch/$name
  mkdir -p "$corpus"
  [[ -d fuzz/corpus/$name ]] && cp -R "fuzz/corpus/$name/." "$corpus/"
  seeds=$(find "$corpus" -type f | wc -l)
  out=$scratch/$name.log
  "$exe" -max_total_time="$seconds" -max_len="$(max_len_for "$name")" -timeout=25 \
    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$artifacts/${name}-" \
    "$corpus" >"$out" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out" | tail -n 1)
  if [[ $rc -eq 0 ]] && ! grep -q -e "runtime error" -e "ERROR: libFuzzer" -e "ERROR: AddressSanitizer" "$out"; then
    echo "fuzz $name: ok (${seconds}s, ${runs:-?} runs, ${rate:-?} exec/s, $seeds seeds)"
  else
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$out" | tail -n 1)
    why=$(grep -m1 -o -e "ERROR: [A-Za-z]*Sanitizer: [a-z-]*" -e "runtime error: .*" \
                      -e "ERROR: libFuzzer: [a-z -]*" "$out")
    echo "fuzz $name: FAIL (exit $rc; ${why:-see log}; input: ${crash:-none})"
    cp "$out" "$artifacts/$name.log"
    grep -m 12 -e "^    #[0-9]" -e "SUMMARY" "$out" | sed 's/^/    /'
    status=1
  fi
done
exit $status
