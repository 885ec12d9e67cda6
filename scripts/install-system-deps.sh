#!/usr/bin/env bash
# Debian packages that the tests need (see README "System packages").
#   chromium            drives the real VS Code (code-server) in the end-to-end tests
#   libkrb5-dev         code-server's `kerberos` native module builds against it
#   g++ make python3    node-gyp's toolchain for code-server's native modules (kerberos, argon2…), built at install
#   dataset-fashion-mnist  the real Fashion-MNIST files, read from /usr/share/datasets/fashion-mnist
#   mesa-vulkan-drivers (bookworm-backports)  lavapipe: a software Vulkan device for the WebGPU backend
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

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
