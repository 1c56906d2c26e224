#!/usr/bin/env bash
# State benchmark: a 3-peer cluster of gantry processes on loopback (started and stopped by
# the benchmark itself). Prints RESULT lines: registrations_per_s_c{1,16,64},
# p50_ms_c*/p99_ms_c*, failover_ms (median of 5 leader SIGKILLs to the next write) and
# cold_restart_ms (all peers SIGKILLed and started to the first linearizable read); then the
# anchor, scripts/bench/etcd.sh (Debian's etcd, 3 members, `etcdctl check perf --load=xl`), run
# after the peers are gone, and RESULT gantry_vs_etcd = registrations_per_s_c64 / etcd_writes_per_s.
# BENCH_SECONDS sets the length of each throughput phase (default 10) and BENCH_WARMUP_SECONDS that
# of the warm-up at 64 clients before the phases (default 30; the peers' JIT is still compiling
# after it, see README "JIT warm-up"); BENCH_ETCD=false skips the
# anchor; BENCH_KEEP=true keeps the peers' data and logs (the path is printed); BENCH_PHASES picks
# phases (any of "throughput failover restart"; the anchor runs only with the throughput phase).
# The peers run with the JVM's default heap and collector, as scripts/gantry starts a manager;
# BENCH_PEER_JVM gives them other flags.
# BENCH_NO_BUILD=true uses the jar and test classes already built (no `mvn install`, which writes
# cli/target/gantry.jar anew); BENCH_JAR names the jar the peers and the clients run (default
# cli/target/gantry.jar; its class cache is made next to it): two builds compared in one hour.
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
if [ -n "${BENCH_PHASES:-}" ] && { $tls || $acl || [ "${BENCH_QUICK:-false}" = true ]; }; then
  echo "state.sh: BENCH_PHASES does not go with --tls, --acl or BENCH_QUICK (those run the throughput phases only)" >&2
  exit 2
fi
if [ "${BENCH_NO_BUILD:-false}" != true ]; then mvn -B -q -ntp install -DskipTests; fi
mvn -B -q -ntp -o -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  || mvn -B -q -ntp -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
jar=${BENCH_JAR:-$root/cli/target/gantry.jar}
[ -f "$jar" ] || { echo "state.sh: no jar at $jar (BENCH_JAR)" >&2; exit 2; }
# The clients run in this JVM; the peers are separate `java -jar gantry.jar server` processes,
# started as scripts/gantry starts a manager: from the ahead-of-time class cache of
# lib/server-jvm.sh, trained here with the peers' own JVM flags (GANTRY_AOT=0: without it).
# shellcheck source=../lib/server-jvm.sh
source scripts/lib/server-jvm.sh
# The peers' heap and collector are the JVM's defaults, as the launcher leaves them for a manager;
# BENCH_PEER_JVM sets others (e.g. "-XX:+UseSerialGC -Xmx256m", the tests' small processes), and
# the cache is trained with them (one cache per set of flags).
peer_jvm=${BENCH_PEER_JVM-}
peer_cache="$jar.bench-server-$(printf '%s' "$peer_jvm" | cksum | cut -d' ' -f1).aot"
peer_flags=$(GANTRY_JAVA_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow $peer_jvm" \
  gantry_server_flags "$jar" "$peer_cache")
peer_flags="$peer_jvm $peer_flags"
echo "peers' extra JVM flags: $peer_flags"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
java $GANTRY_JAVA_OPTS -Dgantry.jar="$jar" -Dgantry.it.jvm.base= -Dgantry.it.jvm.options="$peer_flags" -Dbench.seconds="${BENCH_SECONDS:-10}" \
  -Dbench.warmup.seconds="${BENCH_WARMUP_SECONDS:-30}" \
  -Dbench.peers="${BENCH_PEERS:-3}" -Dbench.keep="${BENCH_KEEP:-false}" -Dbench.quick="${BENCH_QUICK:-false}" -Dbench.phases="${BENCH_PHASES:-throughput failover restart}" -Dbench.tls="$tls" -Dbench.acl="$acl" \
  -cp "$root/cli/target/test-classes:$jar:$(cat cli/target/bench.classpath)" \
  gantry.cli.it.StateBench | tee "$out"
if $tls || $acl || [ "${BENCH_ETCD:-true}" != true ] || [ "${BENCH_QUICK:-false}" = true ] \
  || [[ " ${BENCH_PHASES:-throughput} " != *" throughput "* ]]; then exit 0; fi
scripts/bench/etcd.sh | tee -a "$out"
awk -F= '/^RESULT registrations_per_s_c64=/ { g = $2 } /^RESULT etcd_writes_per_s=/ { e = $2 }
  END { if (g > 0 && e > 0) printf "RESULT gantry_vs_etcd=%.2f\n", g / e }' "$out"
