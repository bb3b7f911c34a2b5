#!/usr/bin/env bash
# Installs the Debian packages the tests drive as real peers (run by `npm test` as its pretest step):
#   prometheus (prometheus + promtool)  a real remote-write sender, receiver and rule checker
#   chromium                            the console's browser tests (playwright-core drives it)
#   poppler-utils                       pdftotext / pdftoppm read back the PDF reports
#   zstd                                compresses what the Datadog Agent sends (zstd, its default)
#   jq, curl                            docs/walkthrough.sh, the README's walk-through, run by test/e2e/walkthrough.test.ts
# Installs only what is missing (as root: apt-get install prometheus chromium poppler-utils zstd jq curl); when it cannot
# (not root, no apt-get), says exactly what to install.
set -euo pipefail

declare -A NEED=([prometheus]=prometheus [promtool]=prometheus [chromium]=chromium [pdftotext]=poppler-utils [pdftoppm]=poppler-utils [zstd]=zstd [jq]=jq [curl]=curl)
missing=()
for bin in "${!NEED[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${NEED[$bin]}")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "npm test needs these Debian packages, which are missing: ${pkgs[*]}" >&2
  echo "install them with:  sudo apt-get update && sudo apt-get install -y ${pkgs[*]}" >&2
  exit 1
fi
echo "installing the test peers: ${pkgs[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${pkgs[@]}" >/dev/null
