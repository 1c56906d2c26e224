# shellcheck shell=bash
# Sourced by scripts/gantry after jdk.sh. gantry_client_flags JAR prints the JVM flags for a
# client verb (job, alloc, node, deployment, operator, tls...): a short-lived process, so the
# C1 compiler only and the serial collector, and on JDK >= 25 an ahead-of-time cache of the
# classes a client loads (JEP 514), next to the jar as JAR.aot. The cache is made once per
# build of the jar, by a training run of a client verb against an address where nothing
# listens (it loads picocli, gRPC and Netty as a real call does); a cache older than the jar
# is made again. GANTRY_AOT=0 turns the cache off. The server, agent and dev verbs are
# long-lived and get none of this.
#
# `scripts/bench/cli.sh` measures what it saves.

# shellcheck source=aot.sh
. "$(dirname "${BASH_SOURCE[0]}")/aot.sh"

# The training run's own messages go to stdout: none of them may reach the user's command.
_gantry_client_train() {
  # shellcheck disable=SC2086 # GANTRY_JAVA_OPTS holds several flags
  java $GANTRY_JAVA_OPTS "${flags[@]}" -XX:AOTCacheOutput="$1" -jar "$jar" \
    operator raft peers --address 127.0.0.1:1 >/dev/null 2>&1 </dev/null
}

gantry_client_flags() {
  local jar=$1 aot
  local flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:aot=off -Xlog:cds=off)
  aot=$(gantry_aot_flag "$jar" "$jar.aot" _gantry_client_train)
  echo "${flags[@]}" $aot
}
