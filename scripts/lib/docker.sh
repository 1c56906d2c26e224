#!/usr/bin/env bash
# Sourced helper: makes sure a Docker engine answers on this machine.
#
#   source scripts/lib/docker.sh && gantry_ensure_docker
#
# Idempotent and quiet when the engine already answers. Otherwise (root only) it
# installs docker.io, mounts cgroups when /sys/fs/cgroup is empty, clears a stale
# pid file and starts dockerd in its own session, then waits for `docker info`.
# Nothing is ever pulled: there is no registry here (see scripts/images.sh).
# Executed directly (not sourced), it runs gantry_ensure_docker once.

# shellcheck source=apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

GANTRY_DOCKERD_LOG="${GANTRY_DOCKERD_LOG:-/var/log/gantry-dockerd.log}"
GANTRY_DOCKER_WAIT_SECONDS="${GANTRY_DOCKER_WAIT_SECONDS:-30}"

_gantry_docker_say() { echo "gantry-docker: $*" >&2; }

_gantry_docker_answers() { docker info >/dev/null 2>&1; }

gantry_ensure_docker() {
  if command -v docker >/dev/null 2>&1 && _gantry_docker_answers; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    _gantry_docker_say "\`docker info\` fails for $(id -un): no engine runs, or this user may not" \
      "use /var/run/docker.sock; starting one needs root: as root run" \
      "source scripts/lib/docker.sh && gantry_ensure_docker (or add this user to the docker group)"
    return 1
  fi

  # docker.io brings containerd, runc and tini (docker-init, for --init).
  gantry_apt_ensure docker "the Docker engine" "dockerd docker" "docker.io cgroupfs-mount iptables" || return 1

  if [ -d /sys/fs/cgroup ] && [ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ]; then
    _gantry_docker_say "/sys/fs/cgroup is empty: mounting cgroups"
    if ! command -v cgroupfs-mount >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cgroupfs-mount >/dev/null 2>&1 \
        || { _gantry_docker_say "could not install cgroupfs-mount"; return 1; }
    fi
    cgroupfs-mount || { _gantry_docker_say "cgroupfs-mount failed"; return 1; }
  fi

  if ! pgrep -x dockerd >/dev/null 2>&1; then
    if [ -f /var/run/docker.pid ]; then
      _gantry_docker_say "removing stale /var/run/docker.pid"
      rm -f /var/run/docker.pid
    fi
    _gantry_docker_say "starting dockerd (log: $GANTRY_DOCKERD_LOG)"
    setsid dockerd --bip=172.17.0.1/16 >"$GANTRY_DOCKERD_LOG" 2>&1 </dev/null &
  fi

  local tries=$((GANTRY_DOCKER_WAIT_SECONDS * 5))
  while [ "$tries" -gt 0 ]; do
    if _gantry_docker_answers; then
      _gantry_docker_say "Docker engine is up"
      return 0
    fi
    sleep 0.2
    tries=$((tries - 1))
  done
  _gantry_docker_say "dockerd did not answer within ${GANTRY_DOCKER_WAIT_SECONDS}s; last log lines:"
  tail -n 20 "$GANTRY_DOCKERD_LOG" >&2 2>/dev/null
  return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  gantry_ensure_docker
fi
