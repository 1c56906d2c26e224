#!/usr/bin/env bash
# Builds the local workload image local/busybox:1 without a registry.
#
#   scripts/images.sh [--force]
#
# The image is an empty root with a static busybox and its applet links, an
# /etc/passwd, /tmp (1777) and /www/index.html ("gantry"), imported with
# `docker import`. It is skipped when it exists already, unless --force.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/docker.sh
source "$here/lib/docker.sh"

IMAGE="local/busybox:1"
force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "images.sh: unknown argument: $arg (usage: images.sh [--force])" >&2; exit 2 ;;
  esac
done

gantry_ensure_docker || exit 1

if [ "$force" -eq 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi

busybox_is_static() {
  [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1
}
if ! busybox_is_static; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "images.sh: /bin/busybox is missing or not static; as root: apt-get install busybox-static" >&2
    exit 1
  fi
  echo "images.sh: installing busybox-static" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq busybox-static >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq busybox-static >/dev/null 2>&1; } \
    || { echo "images.sh: apt-get install busybox-static failed" >&2; exit 1; }
  busybox_is_static || { echo "images.sh: /bin/busybox is still not a static binary" >&2; exit 1; }
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/www" "$root/root" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
applets="sh ash httpd sleep wget cat echo ls nc env kill ps true false printf
  mkdir rm cp mv ln head tail grep sed awk sort uniq wc tee date hostname id
  timeout yes seq test expr nslookup ping top free uptime dd touch chmod pwd
  basename dirname find xargs tr cut md5sum sha256sum nohup killall pidof"
for a in $applets; do
  ln -s busybox "$root/bin/$a"
done
chmod 1777 "$root/tmp"
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$root/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
echo "gantry" > "$root/www/index.html"

old_id="$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
echo "images.sh: importing $IMAGE" >&2
tar -C "$root" -c . | docker import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect -f '{{.Id}}' "$IMAGE")" ]; then
  # The replaced image is now untagged; drop it unless a container still uses it.
  docker rmi "$old_id" >/dev/null 2>&1 || true
fi
echo "images.sh: built $IMAGE" >&2
