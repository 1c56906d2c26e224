# shellcheck shell=bash
# Sourced by lib/client-jvm.sh and lib/server-jvm.sh (after jdk.sh). The one rule for the JDK's
# ahead-of-time class caches (JEP 483/514/515, JDK >= 25) that the launcher gives its verbs:
# gantry_aot_flag JAR CACHE TRAIN sets GANTRY_AOT_FLAG to -XX:AOTCache=CACHE when a cache can be
# used, making it first when it is missing or older than JAR, and to "" otherwise. TRAIN is a
# function called with the path to write the cache to (a training run of the verb with
# -XX:AOTCacheOutput=PATH). A training run that leaves no cache leaves CACHE.failed instead, and
# no launch tries again until the jar is rebuilt (a JVM that crashes while writing its cache
# would otherwise make every call pay for a training run). flock keeps concurrent launches from
# training twice. No cache with GANTRY_AOT=0, on an older JDK, or where CACHE cannot be written.
# A cache that does not match the JVM or the jar is ignored silently (the callers turn the aot
# and cds logs off). A cache that is up to date costs no fork or exec: the client launcher runs
# this on every call.

gantry_aot_flag() {
  local jar=$1 cache=$2 train=$3 major dir
  GANTRY_AOT_FLAG=""
  major=${GANTRY_JDK_MAJOR:-}
  if [ -z "$major" ]; then _gantry_jdk_major "$JAVA_HOME"; major=$REPLY; fi
  if [ "${GANTRY_AOT:-1}" = 0 ] || [ -z "$major" ] || [ "$major" -lt 25 ]; then
    return 0
  fi
  if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then
    if [ -f "$cache.failed" ] && [ ! "$jar" -nt "$cache.failed" ]; then return 0; fi
    case $cache in */*) dir=${cache%/*} ;; *) dir=. ;; esac
    [ -w "$dir" ] || return 0
    (
      flock 9
      if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then
        local tmp="$cache.$$.tmp"
        "$train" "$tmp"
        if [ -s "$tmp" ]; then
          mv -f "$tmp" "$cache"
          rm -f "$cache.failed"
        else
          : >"$cache.failed"
        fi
        rm -f "$tmp" "$tmp.config"
      fi
    ) 9>"$cache.lock"
  fi
  if [ -f "$cache" ] && [ ! "$jar" -nt "$cache" ]; then GANTRY_AOT_FLAG="-XX:AOTCache=$cache"; fi
  return 0
}
