#!/usr/bin/env bash
# Installs what Porchlight builds and tests with, from Debian 12's packages.
# Idempotent and silent when everything is already there.
set -euo pipefail

packages=(
  gcc libc6-dev clang libclang-rt-14-dev pkg-config meson ninja-build python3 git ffmpeg
  libsodium-dev libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libjansson-dev
  libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev gnutls-bin nginx-light
  # The server checks its TLS files with GnuTLS; tests make certificates with certtool.
  libgnutls28-dev
  # The server hashes whole clips with nettle's SHA-256 (SHA-NI where the CPU has it).
  nettle-dev
  # Hub: V4L2 input (libavdevice), the RTSP test server (gst-rtsp-server via
  # python3-gi), the Motion daemon the hub benchmark compares against.
  libavdevice-dev python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad motion
  # Hub: clips must play in Chromium's Media Source Extensions (Debian's
  # chromium decodes H.264); the test drives it headless.
  chromium
)

# Node.js runs the TensorFlow.js oracle and fetches the models from npm; use
# the machine's own if it has one.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root or sudo to install: ${missing[*]}" >&2; exit 3; }
  sudo="sudo"
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
