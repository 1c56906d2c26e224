# shellcheck shell=bash
# Sourced by scripts/gantry after jdk.sh. gantry_client_flags JAR sets the array GANTRY_FLAGS to
# the JVM flags for a client verb (job, alloc, node, deployment, operator, tls...), and prints them:
# a short-lived process, so the C1 compiler only, the serial collector, Netty's unpooled allocator
# and no Netty JFR events (its pooled allocator's events start the JDK's JFR metadata, ~60 ms),
# and on JDK >= 25 an ahead-of-time cache of the classes a client loads and the profiles of the
# methods it runs (JEP 514/515), next to the jar as JAR.aot. The cache is made once per build of
# the jar by a training run, gantry.cli.ClientTraining: the common calls over real gRPC to a
# made-up cluster on loopback, so the cache holds the whole path of a call; a cache older than
# the jar is made again (lib/aot.sh holds the rule). GANTRY_AOT=0 turns the cache off. The server,
# agent and dev verbs are long-lived and get none of this.
#
# `scripts/bench/cli.sh` measures what it saves.

# shellcheck source=aot.sh
. "${BASH_SOURCE[0]%/*}/aot.sh"

_gantry_client_base_flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dio.netty.allocator.type=unpooled
  -Dio.netty.jfr.enabled=false -Xlog:aot=off -Xlog:cds=off)

# The training run's own messages go to stdout: none of them may reach the user's command. A
# crash report, if the JVM writes one, goes next to the cache, not into the caller's directory.
_gantry_client_train() {
  # shellcheck disable=SC2086 # GANTRY_JAVA_OPTS holds several flags
  java $GANTRY_JAVA_OPTS "${_gantry_client_base_flags[@]}" -XX:ErrorFile="$1.hs_err.log" -XX:AOTCacheOutput="$1" \
    -cp "$jar" gantry.cli.ClientTraining >/dev/null 2>&1 </dev/null
}

gantry_client_flags() {
  local jar=$1
  gantry_aot_flag "$jar" "$jar.aot" _gantry_client_train
  GANTRY_FLAGS=("${_gantry_client_base_flags[@]}" ${GANTRY_AOT_FLAG:+"$GANTRY_AOT_FLAG"})
  echo "${GANTRY_FLAGS[@]}"
}
