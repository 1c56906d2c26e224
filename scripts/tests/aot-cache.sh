#!/usr/bin/env bash
# The launcher's rule for ahead-of-time class caches (scripts/lib/aot.sh), with a made-up jar and
# training function in a temporary directory: a missing cache is trained once and used; a cache
# older than the jar is trained again; a training run that leaves no cache leaves a marker and
# is not tried again until the jar changes; GANTRY_AOT=0 and a JDK older than 25 get no cache.
# Run by scripts/test.sh; takes under a second.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/jdk.sh
. "$root/scripts/lib/jdk.sh"
# shellcheck source=../lib/aot.sh
. "$root/scripts/lib/aot.sh"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
jar="$dir/gantry.jar"
cache="$dir/gantry.jar.aot"
echo jar >"$jar"
result=ok     # what the next training run does: ok (writes a cache) or fail (writes nothing)
# Training runs in a subshell (under flock): each leaves a line in a file, counted by trainings().
train() {
  echo run >>"$dir/trainings"
  if [ "$result" = ok ]; then echo cache >"$1"; fi
}
trainings() { if [ -f "$dir/trainings" ]; then wc -l <"$dir/trainings" | tr -d ' '; else echo 0; fi; }
failures=0
check() {   # check WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then echo "aot-cache: $1: expected '$2', got '$3'" >&2; failures=$((failures + 1)); fi
}
rebuild_jar() {   # the jar newer than the cache and the marker, as after a build
  local f
  for f in "$cache" "$cache.failed"; do
    if [ -f "$f" ]; then touch -d "@$(($(date +%s) - 100))" "$f"; fi
  done
  touch "$jar"
}

export GANTRY_JDK_MAJOR=25
gantry_aot_flag "$jar" "$cache" train
check "a missing cache is made and used" "-XX:AOTCache=$cache" "$GANTRY_AOT_FLAG"
gantry_aot_flag "$jar" "$cache" train
check "an up-to-date cache is not made again" 1 "$(trainings)"

rebuild_jar
gantry_aot_flag "$jar" "$cache" train
check "a cache older than the jar is made again" "2 -XX:AOTCache=$cache" "$(trainings) $GANTRY_AOT_FLAG"

rebuild_jar
result=fail
gantry_aot_flag "$jar" "$cache" train
check "a failed training run leaves no flag" "" "$GANTRY_AOT_FLAG"
check "a failed training run leaves a marker" yes "$([ -f "$cache.failed" ] && echo yes || echo no)"
gantry_aot_flag "$jar" "$cache" train
check "a failed training run is not repeated for the same jar" 3 "$(trainings)"

rebuild_jar
result=ok
gantry_aot_flag "$jar" "$cache" train
check "a rebuilt jar is trained again after a failure" "4 -XX:AOTCache=$cache" "$(trainings) $GANTRY_AOT_FLAG"
check "a training run that succeeds removes the marker" no "$([ -f "$cache.failed" ] && echo yes || echo no)"

GANTRY_AOT=0 gantry_aot_flag "$jar" "$cache" train
check "GANTRY_AOT=0 gets no cache" "" "$GANTRY_AOT_FLAG"
GANTRY_JDK_MAJOR=21 gantry_aot_flag "$jar" "$cache" train
check "JDK 21 gets no cache" "" "$GANTRY_AOT_FLAG"
check "neither trains" 4 "$(trainings)"

if [ "$failures" -gt 0 ]; then exit 1; fi
echo "aot-cache: ok"
