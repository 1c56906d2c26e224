# shellcheck shell=bash
# Sourced by setup.sh and test.sh. gantry_prepare makes sure of everything the build and the
# tests need: a JDK >= 21 (jdk.sh), Maven (installed as root if missing), a running Docker
# engine (docker.sh), the local workload image (images.sh) and Prometheus (prometheus.sh, for
# the monitoring test). Run from the repository root.

gantry_prepare() {
  # shellcheck source=jdk.sh
  source scripts/lib/jdk.sh
  gantry_use_jdk || return 1
  if ! command -v mvn >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      echo "gantry: installing Maven" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null || return 1
    else
      echo "gantry: Maven (mvn) is needed: apt-get install maven" >&2
      return 1
    fi
  fi
  # shellcheck source=docker.sh
  source scripts/lib/docker.sh
  gantry_ensure_docker || return 1
  scripts/images.sh
  # shellcheck source=prometheus.sh
  source scripts/lib/prometheus.sh
  gantry_ensure_prometheus || return 1
}
