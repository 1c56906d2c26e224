#!/usr/bin/env bash
# State benchmark: a 3-peer cluster of gantry processes on loopback (started and stopped by
# the benchmark itself). Prints RESULT lines: registrations_per_s_c{1,16,64},
# p50_ms_c*/p99_ms_c*, failover_ms (median of 5 leader SIGKILLs to the next write) and
# cold_restart_ms (all peers SIGKILLed and started to the first linearizable read).
# BENCH_SECONDS sets the length of each throughput phase (default 10).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
gantry_use_jdk || exit 1
mvn -B -q -ntp install -DskipTests
mvn -B -q -ntp -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
# The clients run in this JVM; the peers are separate `java -jar gantry.jar server` processes.
exec java $GANTRY_JAVA_OPTS -Dgantry.jar="$root/cli/target/gantry.jar" -Dbench.seconds="${BENCH_SECONDS:-10}" \
  -Dbench.peers="${BENCH_PEERS:-3}" -Dbench.quick="${BENCH_QUICK:-false}" \
  -cp "$root/cli/target/test-classes:$root/cli/target/gantry.jar:$(cat cli/target/bench.classpath)" \
  gantry.cli.it.StateBench
