#!/usr/bin/env bash
# Builds the chaos image local/gantry-chaos:dev: the manager image local/gantry:dev plus
# lossyfs, the FUSE file system that loses unsynced writes on a power loss, and lossy-run, the
# launcher that mounts it under a manager's data directory.
#
#   scripts/lib/chaos-image.sh [--base IMAGE] [--image NAME]
#
# lossyfs is compiled here from chaos-tests/src/main/c/lossyfs.c against libfuse3 (linked
# statically; the image's glibc does the rest). It needs gcc and Debian's libfuse3-dev; as root
# they are installed when missing. Without them the image is built without lossyfs and carries
# the label gantry.chaos.lossyfs=no:REASON, so the power-loss fault is skipped with that reason.
# The label gantry.chaos.sha256 covers the base image, the sources and this recipe; when it
# matches, the build is skipped. Prints the image name on stdout.

set -uo pipefail
say() { echo "chaos-image: $*" >&2; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
base="local/gantry:dev"
image="local/gantry-chaos:dev"
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base="$2"; shift ;;
    --image) image="$2"; shift ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) say "unknown argument: $1"; exit 2 ;;
  esac
  shift
done

src="$repo/chaos-tests/src/main/c/lossyfs.c"
run="$repo/chaos-tests/src/main/sh/lossy-run"
base_id="$(docker image inspect -f '{{.Id}}' "$base" 2>/dev/null)" || { say "no base image $base"; exit 1; }
sha="$( (echo "$base_id"; cat "$src" "$run" "${BASH_SOURCE[0]}") | sha256sum | cut -d' ' -f1)"
current="$(docker image inspect -f '{{ index .Config.Labels "gantry.chaos.sha256" }}' "$image" 2>/dev/null || true)"
if [ "$current" = "$sha" ]; then
  echo "$image"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
lossyfs="yes"
if ! command -v gcc >/dev/null || ! pkg-config --exists fuse3 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing gcc, pkg-config and libfuse3-dev for lossyfs"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc pkg-config libfuse3-dev >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc pkg-config libfuse3-dev >/dev/null 2>&1; }
  fi
fi
if ! command -v gcc >/dev/null || ! pkg-config --exists fuse3 2>/dev/null; then
  lossyfs="no:gcc or libfuse3-dev is missing (apt-get install gcc pkg-config libfuse3-dev)"
elif ! gcc -O2 -Wall -o "$work/lossyfs" "$src" $(pkg-config fuse3 --cflags) \
       -Wl,-Bstatic -lfuse3 -Wl,-Bdynamic -lpthread -ldl >"$work/cc.log" 2>&1; then
  say "compiling lossyfs failed: $(tail -5 "$work/cc.log")"
  lossyfs="no:compiling lossyfs.c failed"
fi
if [ "$lossyfs" != "yes" ]; then
  say "building $image without lossyfs: ${lossyfs#no:}"
  printf '#!/bin/sh\necho "lossyfs is not in this image" >&2\nexit 1\n' > "$work/lossyfs"
  chmod +x "$work/lossyfs"
fi
cp "$run" "$work/lossy-run"
cat > "$work/Dockerfile" <<DOCKERFILE
FROM $base
COPY lossyfs lossy-run /opt/chaos/
LABEL gantry.chaos.sha256="$sha" gantry.chaos.lossyfs="$lossyfs"
DOCKERFILE
old_id="$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
# The classic builder builds FROM a local image without asking any registry.
DOCKER_BUILDKIT=0 docker build -q -t "$image" "$work" >/dev/null 2>"$work/build.log" \
  || { say "docker build failed: $(tail -5 "$work/build.log")"; exit 1; }
if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
  docker rmi "$old_id" >/dev/null 2>&1 || true
fi
say "built $image (lossyfs: $lossyfs)"
echo "$image"
