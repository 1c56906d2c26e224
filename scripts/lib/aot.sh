# shellcheck shell=bash
# Sourced by lib/client-jvm.sh and lib/server-jvm.sh (after jdk.sh). The one rule for the JDK's
# ahead-of-time class caches (JEP 483/514/515, JDK >= 25) that the launcher gives its verbs:
# gantry_aot_flag JAR CACHE TRAIN prints -XX:AOTCache=CACHE when a cache can be used, making it
# first when it is missing or older than JAR. TRAIN is a function called with the path to write
# the cache to (a training run of the verb with -XX:AOTCacheOutput=PATH); a failed training run
# leaves no cache and the verb starts without one. flock keeps concurrent launches from training
# twice. Nothing is printed with GANTRY_AOT=0, on an older JDK, or where CACHE cannot be written.
# A cache that does not match the JVM or the jar is ignored silently (the callers turn the aot
# and cds logs off).

gantry_aot_flag() {
  local jar=$1 cache=$2 train=$3 major
  major=$(_gantry_jdk_major "$JAVA_HOME")
  if [ "${GANTRY_AOT:-1}" = 0 ] || [ -z "$major" ] || [ "$major" -lt 25 ] || [ ! -w "$(dirname "$cache")" ]; then
    return 0
  fi
  (
    flock 9
    if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then
      local tmp="$cache.$$.tmp"
      "$train" "$tmp"
      if [ -s "$tmp" ]; then mv -f "$tmp" "$cache"; fi
      rm -f "$tmp" "$tmp.config"
    fi
  ) 9>"$cache.lock"
  if [ -f "$cache" ]; then echo "-XX:AOTCache=$cache"; fi
}
