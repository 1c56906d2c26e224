# shellcheck shell=bash
# Sourced by Gantry's scripts. gantry_use_jdk finds a JDK >= 21 and exports:
#   JAVA_HOME, PATH (with $JAVA_HOME/bin first), GANTRY_JDK_MAJOR (its feature version) and
#   GANTRY_JAVA_OPTS (flags for `java`).
# Order: $JAVA_HOME if it is new enough, else the newest JDK >= 21 under /usr/lib/jvm
# (or macOS's JavaVirtualMachines), else `java` on PATH. Returns 1 with a message otherwise.

GANTRY_MIN_JAVA=21

# Sets REPLY to the feature version (8, 17, 21, 25...) of the JDK at $1, or "". The launcher
# runs this on every call, so it reads the release file with builtins: a fork and exec costs
# milliseconds each, and starting a JVM ~100 ms (only for a JDK without a release file).
_gantry_jdk_major() {
  local home=$1 version="" line
  REPLY=""
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        JAVA_VERSION=*) version=${line#JAVA_VERSION=}; version=${version//\"/}; break ;;
      esac
    done <"$home/release"
  fi
  if [ -z "$version" ]; then
    version=$("$home/bin/java" -version 2>&1 | sed -n '1s/.*version "\([^"]*\)".*/\1/p')
  fi
  case $version in
    1.*) version=${version#1.} ;;
  esac
  REPLY=${version%%[!0-9]*}
  return 0
}

gantry_use_jdk() {
  local home="" major best="" best_major=0 candidate java_bin

  if [ -n "${JAVA_HOME:-}" ]; then
    _gantry_jdk_major "$JAVA_HOME"; major=$REPLY
    if [ -n "$major" ] && [ "$major" -ge "$GANTRY_MIN_JAVA" ]; then
      home=$JAVA_HOME
    fi
  fi

  if [ -z "$home" ]; then
    for candidate in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
      [ -d "$candidate" ] || continue
      _gantry_jdk_major "$candidate"; major=$REPLY
      if [ -n "$major" ] && [ "$major" -ge "$GANTRY_MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
        best=$candidate
        best_major=$major
      fi
    done
    home=$best
  fi

  if [ -z "$home" ] && java_bin=$(command -v java 2>/dev/null); then
    candidate=$(dirname "$(dirname "$(readlink -f "$java_bin")")")
    _gantry_jdk_major "$candidate"; major=$REPLY
    if [ -n "$major" ] && [ "$major" -ge "$GANTRY_MIN_JAVA" ]; then
      home=$candidate
    fi
  fi

  if [ -z "$home" ]; then
    {
      echo "gantry: needs a JDK >= $GANTRY_MIN_JAVA, and none was found"
      echo "  looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/*, and java on PATH ($(command -v java 2>/dev/null || echo none))"
      echo "  install one, e.g.: apt-get install openjdk-21-jdk  (or Temurin 21+ from adoptium.net)"
      echo "  or point JAVA_HOME at an existing JDK >= $GANTRY_MIN_JAVA"
    } >&2
    return 1
  fi

  _gantry_jdk_major "$home"; major=$REPLY
  export JAVA_HOME=$home GANTRY_JDK_MAJOR=$major
  export PATH="$JAVA_HOME/bin:$PATH"
  # JDK 24+ warns about Netty's sun.misc.Unsafe use and RocksDB's native access;
  # JDK 21 refuses to start with --sun-misc-unsafe-memory-access, so only add it where it exists.
  if [ "$major" -ge 24 ]; then
    export GANTRY_JAVA_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
  else
    export GANTRY_JAVA_OPTS=""
  fi
  return 0
}
