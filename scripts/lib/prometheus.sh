# shellcheck shell=bash
# Sourced helper: makes sure Prometheus (Debian's `prometheus` package, which brings promtool)
# is installed, for the test that checks scripts/monitoring against a real Prometheus
# (cli MonitoringIT). Idempotent and quiet when it is there. As root it installs the package
# (lib/apt.sh); otherwise it says how and fails, so the test is never skipped silently. Only the
# binaries are used: the package's own service is not needed, and is stopped if the install
# started it (one already there is left alone).

# shellcheck source=apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

gantry_ensure_prometheus() {
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && return 0
  gantry_apt_ensure prometheus "the monitoring test" "prometheus promtool" prometheus || return 1
  # Where systemd runs, the package starts its own server on :9090; the tests start their own.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus >/dev/null 2>&1 || true
  fi
}
