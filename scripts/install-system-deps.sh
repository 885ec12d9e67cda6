#!/usr/bin/env bash
# Debian packages that the tests need (see README "System packages").
#   chromium            drives the real VS Code (code-server) in the end-to-end tests
#   libkrb5-dev         code-server's `kerberos` native module builds against it
#   g++ make python3    node-gyp's toolchain for code-server's native modules (kerberos, argon2…), built at install
#   dataset-fashion-mnist  the real Fashion-MNIST files, read from /usr/share/datasets/fashion-mnist
#   mesa-vulkan-drivers (bookworm-backports)  lavapipe: a software Vulkan device for the WebGPU backend
# With --if-missing (what `npm test` runs first) it returns at once when everything is there.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ "${1:-}" = "--if-missing" ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  [ -f /usr/include/krb5.h ] || missing+=(libkrb5-dev)
  { command -v g++ && command -v make && command -v python3; } >/dev/null || missing+=("g++ make python3")
  [ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
  mesa=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
  if [ -z "$mesa" ] || dpkg --compare-versions "$mesa" lt 25; then missing+=("mesa-vulkan-drivers (25.x)"); fi
  [ ${#missing[@]} -eq 0 ] && exit 0
  if [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; then
    echo "npm test needs these Debian packages: ${missing[*]}." >&2
    echo "Install them with: sudo bash scripts/install-system-deps.sh" >&2
    exit 1
  fi
  echo "Installing the Debian packages npm test needs: ${missing[*]}"
fi

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
backports_list=/etc/apt/sources.list.d/cnnlab-backports.sources
if [ "$codename" = "bookworm" ] && ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # bookworm's own Mesa 22.3 lavapipe is rejected by Dawn; the backported 25.x works.
  $SUDO tee "$backports_list" >/dev/null <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  chromium libkrb5-dev g++ make python3 dataset-fashion-mnist xauth >/dev/null
if [ "$codename" = "bookworm" ]; then
  $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
else
  $SUDO apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1 >/dev/null
fi
