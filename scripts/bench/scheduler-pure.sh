#!/usr/bin/env bash
# Placements per second of the pure scheduler (JMH, scheduler/src/test/java/gantry/scheduler/bench).
# Prints: RESULT pure_placements_per_s_1k_nodes=N and RESULT pure_placements_per_s_10k_nodes=N
# Env: BENCH_WARMUP (iterations, default 3), BENCH_ITERS (default 5), BENCH_TIME (per iteration, default 2s).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
pick_jdk() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/*; do
    [[ -n "$c" && -x "$c/bin/java" ]] || continue
    if [[ "$(java_major "$c/bin/java")" -ge 21 ]]; then echo "$c"; return 0; fi
  done
  return 1
}
JAVA_HOME="$(pick_jdk)" || { echo "scheduler-pure.sh: needs a JDK >= 21 (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"

OUT="$ROOT/scheduler/target/bench"
mkdir -p "$OUT"
# Offline first (everything is usually in ~/.m2); fall back to online once.
mvn -B -q -o -pl scheduler test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=test >"$OUT/build.log" 2>&1 \
  || mvn -B -q -pl scheduler test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=test >"$OUT/build.log" 2>&1 \
  || { cat "$OUT/build.log" >&2; echo "scheduler-pure.sh: build failed" >&2; exit 1; }

CP="$ROOT/scheduler/target/test-classes:$ROOT/scheduler/target/classes:$(cat "$OUT/cp.txt")"
java -cp "$CP" org.openjdk.jmh.Main 'gantry.scheduler.bench.PlacementBenchmark' \
  -f 1 -wi "${BENCH_WARMUP:-3}" -w "${BENCH_TIME:-2s}" -i "${BENCH_ITERS:-5}" -r "${BENCH_TIME:-2s}" \
  -jvmArgs "-Xms1g -Xmx1g -XX:+UseParallelGC" -rf csv -rff "$OUT/result.csv" | tee "$OUT/jmh.log" | grep -E '^(# Param|Benchmark|PlacementBenchmark|Iteration)' || true

# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: nodes"
result() {
  awk -F',' -v n="$1" 'NR > 1 { gsub(/"/, ""); if ($8 + 0 == n + 0) printf "%d\n", $5 }' "$OUT/result.csv"
}
R1K="$(result 1000)"; R10K="$(result 10000)"
[[ -n "$R1K" && -n "$R10K" ]] || { echo "scheduler-pure.sh: no result in $OUT/result.csv" >&2; exit 1; }
echo "RESULT pure_placements_per_s_1k_nodes=$R1K"
echo "RESULT pure_placements_per_s_10k_nodes=$R10K"
