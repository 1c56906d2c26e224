#!/usr/bin/env bash
# CLI benchmark (issue 14): how long `gantry job ls` takes against a running 3-manager cluster
# on loopback (started and stopped here; state and logs under gantry-data/bench-cli/RUN), as a
# user runs it (scripts/gantry, with the client JVM flags and the ahead-of-time class cache of
# scripts/lib/client-jvm.sh), without the cache (GANTRY_AOT=0), and as plain `java -jar` with
# the default JVM flags (the launcher before the client flags). Each is run BENCH_CALLS (20)
# times after one untimed call; prints the medians as RESULT lines in ms.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { echo "bench-cli [$(date +%T)]: $*" >&2; }
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
gantry_use_jdk || exit 1
read -r -a java_opts <<<"$GANTRY_JAVA_OPTS"
[ -f cli/target/gantry.jar ] || scripts/gantry --help >/dev/null
calls=${BENCH_CALLS:-20}
managers=3
run="$(date +%Y%m%d-%H%M%S)-$$"
data="$root/gantry-data/bench-cli/$run"
mkdir -p "$data"
# shellcheck source=../lib/bench.sh
source scripts/lib/bench.sh
bench_copy_jar
bench_traps

start_cluster cluster 3s
# The launcher on the run's copy of the jar: its cache is made next to that copy.
launcher="$data/gantry"
sed "s|^jar=.*|jar=\"$jar\"|" scripts/gantry >"$launcher"
chmod +x "$launcher"
mkdir -p "$data/lib" && cp scripts/lib/jdk.sh scripts/lib/aot.sh scripts/lib/client-jvm.sh "$data/lib/"

# time_ms CMD...: the wall time of one call, in ms (its output is discarded; a failure stops the
# run: these run in command substitutions, where set -e does not reach, hence the explicit checks).
time_ms() {
  local t0
  t0=$(now_ms)
  "$@" >/dev/null || { say "failed: $*"; return 1; }
  echo $(($(now_ms) - t0))
}

measure() {   # measure NAME CMD...: untimed first call, then $calls timed ones; prints the median
  local name=$1 i t all=()
  shift
  "$@" >/dev/null || { say "$name failed: $*"; return 1; }
  for i in $(seq 1 "$calls"); do
    t=$(time_ms "$@") || return 1
    all+=("$t")
  done
  say "$name: ${all[*]}"
  median "${all[@]}"
}

launcher_ms=$(measure launcher "$launcher" job ls --address "$addrs")
no_aot_ms=$(GANTRY_AOT=0 measure launcher-without-cache "$launcher" job ls --address "$addrs")
plain_ms=$(measure plain-java java "${java_opts[@]}" -jar "$jar" job ls --address "$addrs")
echo "RESULT cli_job_ls_ms=$launcher_ms"
echo "RESULT cli_job_ls_no_aot_ms=$no_aot_ms"
echo "RESULT cli_job_ls_plain_java_ms=$plain_ms"
echo "RESULT cli_vs_plain_java=$(ratio "$launcher_ms" "$plain_ms")"
