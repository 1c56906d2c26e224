# shellcheck shell=bash
# Sourced helper: makes sure Debian's `chromium` and `chromium-driver` packages are installed,
# for the test that drives the web UI in a real headless browser (cli WebUiIT, Selenium through
# /usr/bin/chromedriver). Idempotent and quiet when they are there. As root it installs them;
# otherwise it says how and fails, so the test is never skipped silently (lib/apt.sh).

# shellcheck source=apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

gantry_ensure_chromium() {
  gantry_apt_ensure chromium "the web UI test" "chromium chromedriver" "chromium chromium-driver"
}
