#!/usr/bin/env bash
# What a restarted manager's applied state costs to load (gantry.node.state.LoadBench): a RocksDB
# store of BENCH_LOAD_JOBS (1,000) jobs of BENCH_LOAD_REPLICAS (100) placed allocations each on
# BENCH_LOAD_NODES (1,000) nodes, written once as a peer applies it, then loaded as a starting peer
# does, BENCH_ROUNDS (3) times, each in a JVM of its own (serial collector, as the managers run).
# Prints RESULT load_ms and load_heap_mb (the heap the loaded state holds after full collections),
# and gc_check_ms (one scan of the GC's once-a-minute check on the loaded state, on the leader's
# loop: median of 20 after 10 to warm up), medians of the rounds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
gantry_use_jdk || exit 1
mvn -B -q -ntp install -DskipTests -pl node -am
mvn -B -q -ntp -pl node test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
cp="$root/node/target/test-classes:$root/node/target/classes:$(cat node/target/bench.classpath)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck disable=SC2086 # GANTRY_JAVA_OPTS holds several flags
java $GANTRY_JAVA_OPTS -cp "$cp" gantry.node.state.LoadBench write "$dir/db" "${BENCH_LOAD_JOBS:-1000}" \
  "${BENCH_LOAD_REPLICAS:-100}" "${BENCH_LOAD_NODES:-1000}"
for _ in $(seq 1 "${BENCH_ROUNDS:-3}"); do
  # shellcheck disable=SC2086
  java $GANTRY_JAVA_OPTS -XX:+UseSerialGC -cp "$cp" gantry.node.state.LoadBench load "$dir/db" | tee -a "$dir/out"
done
for key in load_ms load_heap_mb gc_check_ms; do
  grep -o "$key=[0-9]*" "$dir/out" | cut -d= -f2 | sort -n | awk -v k="$key" '{ v[NR] = $1 } END { printf "RESULT %s=%d\n", k, v[int((NR + 1) / 2)] }'
done
