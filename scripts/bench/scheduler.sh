#!/usr/bin/env bash
# Scheduler benchmark, in two parts:
#  1. the pure scheduler under JMH (scripts/bench/scheduler-pure.sh): prints
#     RESULT pure_placements_per_s_1k_nodes=N and RESULT pure_placements_per_s_10k_nodes=N;
#  2. end to end (gantry.cli.it.SchedulerBench): 3 manager processes on loopback, 5,000 nodes
#     registered through the dispatcher by one `gantry agent --driver sim --simulate 5000`
#     process, then 1,000 jobs x 100 replicas registered by 64 clients, timed from the first
#     registration until all 100,000 allocations are committed (linearizable reads). Prints
#     RESULT e2e_placements_per_s=N, RESULT leader_rss_mb=N (peak RSS, VmHWM, of the leader)
#     and RESULT leader_rss_end_mb=N (VmRSS at the end), then RESULT e2e_placements_per_s_warm=N:
#     1,000 more jobs x 100 replicas on the same cluster and nodes, timed the same way, once the
#     first round has warmed the JVMs up (the JIT took a third of the CPU of the first round in a
#     profile); then the same with 10,000 nodes (16
#     cores each) and 1,000 jobs x 1,000 replicas: RESULT e2e_1m_allocations_s=SECONDS from the
#     first registration to the millionth allocation committed, and the lines above prefixed
#     e2e_1m_ (about 3 minutes more, and about 10 GB of memory: heaps of up to 5g).
# Every process it starts is stopped when it ends.
#
# Env:
#   BENCH_QUICK=true      a small smoke run (200 nodes, 50 jobs x 20 replicas; JMH 1+1 iterations)
#   BENCH_SKIP_PURE=true  skip part 1;  BENCH_SKIP_E2E=true  skip part 2
#   BENCH_NODES, BENCH_JOBS, BENCH_REPLICAS, BENCH_CLIENTS   the end-to-end sizes (of the first run)
#   BENCH_SKIP_100K=true  skip the first end-to-end run (the 100,000 allocations)
#   BENCH_SKIP_WARM=true  end that run after its first round (no e2e_placements_per_s_warm)
#   BENCH_SKIP_1M=true    skip the million-allocation run (10,000 nodes, 1,000 jobs x 1,000
#                         replicas, RESULT e2e_1m_allocations_s=SECONDS and e2e_1m_* lines; it
#                         also does not run with BENCH_QUICK); BENCH_1M_HEAP its heap (default 5g)
#   BENCH_WORKERS         scheduler_workers of the managers (default 2)
#   BENCH_SERVER_CONFIG   more manager settings, key=value,key=value (e.g. batch_max_bytes=4194304)
#   BENCH_HEAP            heap of each manager and agent process (default 2g)
#   BENCH_JVM_OPTS        more flags for those processes (they run -XX:+UseSerialGC)
#   BENCH_JVM_BASE        replaces -XX:+UseSerialGC -Xmx256m, the flags before the heap (empty: the
#                         JVM's own collector, G1 here, as scripts/gantry starts a manager)
#   BENCH_AGENT_JVM       flags for the simulated agent only, after the heap (e.g. -Xmx600m)
#   BENCH_DIAGNOSE=DIR    write the leader's heap histogram, heap info and (with
#                         BENCH_JVM_OPTS=-XX:NativeMemoryTracking=summary) native memory to DIR
#   BENCH_NO_BUILD=true   use the jar and classes already built (cli/target)
#   BENCH_JAR             the gantry jar the managers and the agent run (default cli/target/gantry.jar)
#   BENCH_WARMUP, BENCH_ITERS, BENCH_TIME   passed to the JMH part (see scheduler-pure.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
gantry_use_jdk || exit 1

quick="${BENCH_QUICK:-false}"
if [[ "${BENCH_SKIP_PURE:-false}" != true ]]; then
  if [[ "$quick" == true ]]; then
    export BENCH_WARMUP="${BENCH_WARMUP:-1}" BENCH_ITERS="${BENCH_ITERS:-1}" BENCH_TIME="${BENCH_TIME:-1s}"
  fi
  scripts/bench/scheduler-pure.sh
fi
[[ "${BENCH_SKIP_E2E:-false}" == true ]] && exit 0

if [[ "${BENCH_NO_BUILD:-false}" != true ]]; then
  mvn -B -q -ntp install -DskipTests
fi
mvn -B -q -ntp -o -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  || mvn -B -q -ntp -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath

# A private copy of the jar: a rebuild of cli/target during the run must not change what runs.
run_dir="$(mktemp -d "${TMPDIR:-/tmp}/gantry-scheduler-bench.XXXXXX")"
trap 'rm -rf "$run_dir"' EXIT
cp "${BENCH_JAR:-$root/cli/target/gantry.jar}" "$run_dir/gantry.jar"
props=(-Dgantry.jar="$run_dir/gantry.jar" -Dbench.quick="$quick" -Dgantry.it.logs="$root/cli/target/bench-logs")
sizes=()   # the first run's sizes only
[[ -n "${BENCH_NODES:-}" ]] && sizes+=(-Dbench.nodes="$BENCH_NODES")
[[ -n "${BENCH_JOBS:-}" ]] && sizes+=(-Dbench.jobs="$BENCH_JOBS")
[[ -n "${BENCH_REPLICAS:-}" ]] && sizes+=(-Dbench.replicas="$BENCH_REPLICAS")
[[ -n "${BENCH_CLIENTS:-}" ]] && props+=(-Dbench.clients="$BENCH_CLIENTS")
[[ -n "${BENCH_WORKERS:-}" ]] && props+=(-Dbench.workers="$BENCH_WORKERS")
[[ -n "${BENCH_SERVER_CONFIG:-}" ]] && props+=(-Dbench.server.config="$BENCH_SERVER_CONFIG")
[[ -n "${BENCH_DIAGNOSE:-}" ]] && props+=(-Dbench.diagnose="$BENCH_DIAGNOSE")
# BENCH_JVM_BASE replaces the processes' base flags (-XX:+UseSerialGC -Xmx256m, before the heap and
# BENCH_JVM_OPTS); empty: the JVM's own collector, as the launcher starts a manager.
[[ -n "${BENCH_JVM_BASE+set}" ]] && props+=(-Dgantry.it.jvm.base="$BENCH_JVM_BASE")
[[ -n "${BENCH_AGENT_JVM:-}" ]] && props+=(-Dbench.agent.jvm="$BENCH_AGENT_JVM")
[[ "${BENCH_SKIP_WARM:-false}" == true ]] && props+=(-Dbench.warm=false)
# e2e HEAP [PROPS...]: one end-to-end run. The clients and the poll run in this JVM; the managers
# and the agent are separate processes, each with HEAP.
e2e() {
  local heap=$1
  shift
  # shellcheck disable=SC2086
  java $GANTRY_JAVA_OPTS "${props[@]}" -Dgantry.it.jvm.options="-Xmx$heap ${BENCH_JVM_OPTS:-}" "$@" \
    -cp "$root/cli/target/test-classes:$run_dir/gantry.jar:$(cat cli/target/bench.classpath)" \
    gantry.cli.it.SchedulerBench
}
[[ "${BENCH_SKIP_100K:-false}" == true ]] || e2e "${BENCH_HEAP:-2g}" "${sizes[@]}"
# The million-allocation run (10,000 nodes, 1,000 jobs x 1,000 replicas): RESULT e2e_1m_*.
if [[ "${BENCH_SKIP_1M:-false}" != true && "$quick" != true ]]; then
  e2e "${BENCH_1M_HEAP:-5g}" -Dbench.million=true
fi
