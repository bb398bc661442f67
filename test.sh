#!/usr/bin/env bash
# Runs every test of MusicFS: unit tests of each bundle, then the integration tests of the
# assembled runtime (real FUSE mounts, real audio, the real launcher). Installs the Debian packages
# the tests use when they are missing (as root; otherwise it says which).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

packages=(fuse3 libfuse2 flac lame vorbis-tools opus-tools ffmpeg sox procps openssh-server openssh-client python3 python3-prometheus-client systemd util-linux mergerfs chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing Debian packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

exec mvn -B verify "$@"
