#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of every path that takes user input, each target for DURATION
# (default 5m; 90s, 10m, 1h or a number of seconds):
#   spec  gantry.spec.fuzz.ParserFuzzTest#parse         any text -> JobSpecParser
#   spec  gantry.spec.fuzz.ValidatorFuzzTest#validate   any JobSpec -> JobSpecValidator
#   node  gantry.node.fuzz.ControlApiFuzzTest#call      control API requests (in-process gRPC)
#   node  gantry.node.fuzz.HttpApiFuzzTest#request      HTTP API requests (loopback)
# Jazzer fuzzes one @FuzzTest per JVM, so each target is its own Maven run (JAZZER_FUZZ=1).
#
# Crashes: Jazzer writes the failing input into the target's corpus directory
# (<module>/src/test/resources/<package>/<Class>Inputs/<method>/crash-*), where the normal build
# replays it as a regression test; this script lists them and exits 1.
# Corpus: what a run found is kept in <module>/.cifuzz-corpus/ (not in git; the next run starts
# from it), and the smallest GANTRY_FUZZ_KEEP (default 50) new entries per target are copied into
# the corpus directory in the repository, to commit (0 copies none).
# GANTRY_FUZZ_TARGETS (space-separated Class#method) limits the run to those targets.
# shellcheck source-path=SCRIPTDIR/..
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib/prereqs.sh
gantry_ensure_jdk || exit 1
gantry_ensure_maven || exit 1

duration="${1:-5m}"
case "$duration" in
  *[!0-9smh]* | "" ) echo "fuzz.sh: DURATION: expected 90s, 5m, 1h or seconds, got '$duration'" >&2; exit 2 ;;
  *h) seconds=$(( ${duration%h} * 3600 )) ;;
  *m) seconds=$(( ${duration%m} * 60 )) ;;
  *s) seconds=${duration%s} ;;
  *) seconds=$duration ;;
esac
[ "$seconds" -gt 0 ] || { echo "fuzz.sh: DURATION: must be more than 0 seconds" >&2; exit 2; }
keep="${GANTRY_FUZZ_KEEP:-50}"

targets=(
  "spec gantry.spec.fuzz.ParserFuzzTest#parse"
  "spec gantry.spec.fuzz.ValidatorFuzzTest#validate"
  "node gantry.node.fuzz.ControlApiFuzzTest#call"
  "node gantry.node.fuzz.HttpApiFuzzTest#request"
)

marker="$(mktemp)"
trap 'rm -f "$marker"' EXIT
failed=()
for t in "${targets[@]}"; do
  module="${t%% *}"
  test="${t#* }"
  if [ -n "${GANTRY_FUZZ_TARGETS:-}" ] && [[ " $GANTRY_FUZZ_TARGETS " != *" ${test#gantry.*.fuzz.} "* ]]; then
    continue
  fi
  class="${test%#*}"
  method="${test#*#}"
  inputs="$module/src/test/resources/$(dirname "${class//.//}")/$(basename "${class//.//}")Inputs/$method"
  generated="$module/.cifuzz-corpus/$class/$method"
  echo "fuzz.sh: fuzzing $test for ${seconds}s" >&2
  log="$module/target/fuzz-${class##*.}.log"
  mkdir -p "$module/target"
  # jazzer.internal.arg.N are libFuzzer's arguments as the Jazzer JUnit integration reads them
  # (0.24.0); the ones given here come last and win over @FuzzTest(maxDuration). jazzer.hooks:
  # the instrumentation that guides fuzzing, off in junit-platform.properties for the replay.
  if JAZZER_FUZZ=1 mvn -B -ntp -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.hooks=true \
      -Djazzer.internal.arg.0=fake_argv0 -Djazzer.internal.arg.1=-max_total_time="$seconds" >"$log" 2>&1; then
    echo "fuzz.sh: $test: no finding ($(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)s)" >&2
  else
    failed+=("$test")
    echo "fuzz.sh: $test FAILED (log: $log)" >&2
    grep -E 'FuzzTestFinding|Caused by|Test unit written to' "$log" | head -5 >&2 || true
  fi
  if [ "$keep" -gt 0 ] && [ -d "$generated" ]; then
    mkdir -p "$inputs"
    kept=0
    while IFS= read -r f; do
      [ -e "$inputs/$(basename "$f")" ] && continue
      cp "$f" "$inputs/" && kept=$((kept + 1))
      [ "$kept" -ge "$keep" ] && break
    done < <(find "$generated" -type f -newer "$marker" -printf '%s %p\n' | sort -n | cut -d' ' -f2-)
    [ "$kept" -gt 0 ] && echo "fuzz.sh: $test: kept $kept new corpus entries in $inputs" >&2
  fi
done

mapfile -t crashes < <(find spec/src/test/resources node/src/test/resources -type f \
  \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) -newer "$marker" 2>/dev/null)
if [ ${#crashes[@]} -gt 0 ]; then
  echo "fuzz.sh: crashing inputs (replayed by the normal build until fixed):" >&2
  printf '  %s\n' "${crashes[@]}" >&2
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all targets ran ${seconds}s with no finding" >&2
