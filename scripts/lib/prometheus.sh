# shellcheck shell=bash
# Sourced helper: makes sure Prometheus (Debian's `prometheus` package, which brings promtool)
# is installed, for the test that checks scripts/monitoring against a real Prometheus
# (cli MonitoringIT). Idempotent and quiet when it is there. As root it installs the package;
# otherwise it says how and fails, so the test is never skipped silently. Only the binaries are
# used: the package's own service is not needed, and is stopped if the install started it.

_gantry_prometheus_say() { echo "gantry-prometheus: $*" >&2; }

gantry_ensure_prometheus() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    _gantry_prometheus_say "prometheus is missing; the monitoring test needs it: as root run apt-get install -y prometheus"
    return 1
  fi
  _gantry_prometheus_say "installing prometheus with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get update -qq >/dev/null 2>&1; then
    _gantry_prometheus_say "apt-get update failed"; return 1
  fi
  if ! apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; then
    _gantry_prometheus_say "apt-get install prometheus failed; try it by hand to see why"; return 1
  fi
  # Where systemd runs, the package starts its own server on :9090; the tests start their own.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus >/dev/null 2>&1 || true
  fi
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1
}
