# shellcheck shell=bash
# Sourced helper: makes sure Debian's `chromium` and `chromium-driver` packages are installed,
# for the test that drives the web UI in a real headless browser (cli WebUiIT, Selenium through
# /usr/bin/chromedriver). Idempotent and quiet when they are there. As root it installs them;
# otherwise it says how and fails, so the test is never skipped silently.

_gantry_chromium_say() { echo "gantry-chromium: $*" >&2; }

gantry_ensure_chromium() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    _gantry_chromium_say "chromium or chromedriver is missing; the web UI test needs them: as root run apt-get install -y chromium chromium-driver"
    return 1
  fi
  _gantry_chromium_say "installing chromium and chromium-driver with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get update -qq >/dev/null 2>&1; then
    _gantry_chromium_say "apt-get update failed"; return 1
  fi
  if ! apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null 2>&1; then
    _gantry_chromium_say "apt-get install chromium chromium-driver failed; try it by hand to see why"; return 1
  fi
  command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1
}
