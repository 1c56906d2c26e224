#!/usr/bin/env bash
# Builds the manager image local/gantry:dev from cli/target/gantry.jar, without a registry.
#
#   scripts/lib/gantry-image.sh [--force] [--jar FILE] [--image NAME]
#
# The image is an empty root with a jlinked Java runtime (/opt/java), the shared
# libraries that runtime and RocksDB's JNI library need (from this machine, as `ldd`
# reports them), a static busybox with a few applet links, /etc/passwd, /tmp (1777)
# and the jar at /opt/gantry/gantry.jar, put together with `tar | docker import`.
# The image carries the sha256 of the jar and this recipe as the label gantry.jar.sha256; when it matches
# the jar the build is skipped (unless --force). Prints the image name on stdout.
# Sourced, it only defines gantry_image_build.
#
# Environment: GANTRY_IMAGE_JDEPS=1 adds the modules `jdeps` finds (slow, ~12 s) to
# the fixed module list.

_gantry_image_say() { echo "gantry-image: $*" >&2; }

gantry_image_build() {
  local here repo jar="" image="local/gantry:dev" force=0
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  repo="$(cd "$here/../.." && pwd)"
  while [ $# -gt 0 ]; do
    case "$1" in
      --force) force=1 ;;
      --jar) jar="$2"; shift ;;
      --image) image="$2"; shift ;;
      -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; return 0 ;;
      *) _gantry_image_say "unknown argument: $1 (usage: gantry-image.sh [--force] [--jar FILE] [--image NAME])"; return 2 ;;
    esac
    shift
  done
  jar="${jar:-$repo/cli/target/gantry.jar}"

  # shellcheck source=docker.sh
  source "$here/docker.sh"
  # shellcheck source=jdk.sh
  source "$here/jdk.sh"
  gantry_ensure_docker || return 1
  gantry_use_jdk || return 1

  if [ ! -f "$jar" ]; then
    _gantry_image_say "$jar is missing: build it first (scripts/gantry --help builds it)"
    return 1
  fi
  local sha current
  # The label covers the jar and this recipe, so a changed recipe rebuilds the image too.
  sha="$(cat "$jar" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
  current="$(docker image inspect -f '{{ index .Config.Labels "gantry.jar.sha256" }}' "$image" 2>/dev/null || true)"
  if [ "$force" -eq 0 ] && [ "$current" = "$sha" ]; then
    echo "$image"
    return 0
  fi

  if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
    _gantry_image_say "/bin/busybox is missing or not static; as root: apt-get install busybox-static"
    return 1
  fi

  local work root modules
  work="$(mktemp -d)"
  root="$work/root"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  mkdir -p "$root/opt/gantry" "$root/bin" "$root/etc" "$root/tmp" "$root/data" "$root/root" \
    "$root/proc" "$root/sys" "$root/dev" "$root/lib64"

  modules="java.se,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.jfr,jdk.zipfs"
  if [ "${GANTRY_IMAGE_JDEPS:-0}" = 1 ]; then
    modules="$modules,$(jdeps --print-module-deps --ignore-missing-deps --multi-release base "$jar" 2>/dev/null)"
  fi
  # Keep only modules this JDK has (jdk.crypto.ec is gone from newer JDKs).
  local available keep="" m
  available="$(java --list-modules | sed 's/@.*//')"
  for m in ${modules//,/ }; do
    if echo "$available" | grep -qx "$m"; then keep="${keep:+$keep,}$m"; fi
  done
  _gantry_image_say "jlink runtime with $keep"
  jlink --add-modules "$keep" --strip-debug --no-header-files --no-man-pages \
    --output "$root/opt/java" >&2 || { _gantry_image_say "jlink failed"; return 1; }

  # RocksDB's JNI library is unpacked at run time; it needs libstdc++ and libgcc_s.
  local libs lib
  libs="$(find "$root/opt/java" -name '*.so' -exec ldd {} \; 2>/dev/null; ldd "$root/opt/java/bin/java")"
  for lib in $(echo "$libs" | grep -o '/[^ ]*\.so[^ ]*' | sort -u) \
             $(ldconfig -p | grep -E 'libstdc\+\+\.so\.6 |libgcc_s\.so\.1 |libz\.so\.1 ' | grep x86-64 | sed 's/.*=> //'); do
    [ -e "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"
  # libstdc++ and friends may sit under /usr/lib on this machine; the loader looks in /lib too.
  mkdir -p "$root/lib/x86_64-linux-gnu" "$root/usr/lib/x86_64-linux-gnu"
  for lib in "$root"/usr/lib/x86_64-linux-gnu/*.so*; do
    [ -e "$lib" ] && [ ! -e "$root/lib/x86_64-linux-gnu/$(basename "$lib")" ] \
      && cp -L "$lib" "$root/lib/x86_64-linux-gnu/"
  done

  cp /bin/busybox "$root/bin/busybox"
  for m in sh ls cat ps kill sleep echo mkdir rm du df hostname ip netstat top free env setsid; do
    ln -s busybox "$root/bin/$m"
  done
  cp "$jar" "$root/opt/gantry/gantry.jar"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"

  local old_id flags
  old_id="$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
  flags='"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Djava.io.tmpdir=/tmp"'
  if "$root/opt/java/bin/java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
    flags="$flags"', "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"'
  fi
  _gantry_image_say "importing $image"
  tar -C "$root" -c . | docker import \
    -c "ENTRYPOINT [\"/opt/java/bin/java\", $flags, \"-jar\", \"/opt/gantry/gantry.jar\"]" \
    -c 'ENV PATH=/opt/java/bin:/bin' \
    -c "LABEL gantry.jar.sha256=$sha" \
    -c 'WORKDIR /data' - "$image" >/dev/null || { _gantry_image_say "docker import failed"; return 1; }
  if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
  _gantry_image_say "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1048576}'))"
  echo "$image"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  gantry_image_build "$@"
fi
