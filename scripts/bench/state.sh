#!/usr/bin/env bash
# State benchmark: a 3-peer cluster of gantry processes on loopback (started and stopped by
# the benchmark itself). Prints RESULT lines: registrations_per_s_c{1,16,64},
# p50_ms_c*/p99_ms_c*, failover_ms (median of 5 leader SIGKILLs to the next write) and
# cold_restart_ms (all peers SIGKILLed and started to the first linearizable read).
# BENCH_SECONDS sets the length of each throughput phase (default 10).
# With --tls and/or --acl it compares instead: the throughput phases on a plain cluster, then on
# one with mutual TLS (certificates made by `gantry tls`) and/or ACLs (the management token), in
# one run: RESULT registrations_per_s_cN_off/_on, p99_ms_cN_off/_on, ratio_registrations_cN,
# ratio_p99_cN.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
gantry_use_jdk || exit 1
tls=false acl=false
for arg in "$@"; do
  case "$arg" in
    --tls) tls=true ;;
    --acl) acl=true ;;
    *) echo "state.sh: unknown argument $arg (expected --tls, --acl)" >&2; exit 2 ;;
  esac
done
mvn -B -q -ntp install -DskipTests
mvn -B -q -ntp -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
# The clients run in this JVM; the peers are separate `java -jar gantry.jar server` processes.
exec java $GANTRY_JAVA_OPTS -Dgantry.jar="$root/cli/target/gantry.jar" -Dbench.seconds="${BENCH_SECONDS:-10}" \
  -Dbench.peers="${BENCH_PEERS:-3}" -Dbench.quick="${BENCH_QUICK:-false}" -Dbench.tls="$tls" -Dbench.acl="$acl" \
  -cp "$root/cli/target/test-classes:$root/cli/target/gantry.jar:$(cat cli/target/bench.classpath)" \
  gantry.cli.it.StateBench
