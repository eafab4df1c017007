#!/usr/bin/env bash
# Installs what building and testing Starcon needs, only when it is missing:
#   build:  zlib headers (gzip), libvips (photos), libsqlite3 (the store), the Swift toolchain is expected at /opt/swift or on PATH
#   tests:  PostgreSQL server, headless Chromium with its driver, newsreaders (tin, suck/rpost, slrnpull), swaks, s-nail (IMAP), zbar-tools (reads the TOTP QR code)
#           driven by tmux, a Python venv with the test clients
# Usage: scripts/install-deps.sh [build|test]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}

packages=(zlib1g-dev libvips-dev libsqlite3-dev pkg-config)
if [ "$what" = test ]; then
  # fonts-noto-cjk: Korean, Chinese and Japanese glyphs, so layout tests measure real text, not empty boxes.
  # swaks: an SMTP client with AUTH and STARTTLS (with libnet-ssleay-perl) for the mail tests; openssl makes their
  # self-signed certificate.
  # s-nail: the mail client the IMAP e2e test drives by script. zbar-tools: zbarimg reads the TOTP page's QR code.
  packages+=(postgresql chromium chromium-driver tin suck slrnpull tmux fonts-noto-cjk swaks libnet-ssleay-perl openssl s-nail zbar-tools)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$what" = test ]; then
  # tin, the newsreader the e2e tests drive, will not post from a host whose domain it cannot find (it
  # says "Posting not allowed"): a machine named without a domain gets one in /etc/mailname, where
  # Debian's tin looks.
  if [ ! -s /etc/mailname ] && ! hostname -f 2>/dev/null | grep -q '\.'; then
    echo "localhost.localdomain" | $sudo tee /etc/mailname >/dev/null
  fi
  # The venv is (re)filled whenever requirements.txt changed since it was last filled.
  wanted=$(sha256sum tests/e2e/requirements.txt | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.requirements-sha 2>/dev/null)" != "$wanted" ]; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r tests/e2e/requirements.txt
    echo "$wanted" > .venv/.requirements-sha
  fi
fi
