#!/bin/sh
# Installs the Debian packages the test suite needs, when they are missing and we may (root + apt).
# Without them the tests that need them skip with a reason; nothing else changes. gcc and libc6-dev
# compile the package's two C kernels (pip needs them to install livecheck at all; most machines
# have them already). chromium renders `livecheck report`'s HTML headless for the report's test.
set -u
PKGS="xvfb xauth libgl1 libegl1 libfontconfig1 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0 \
libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 \
libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-xfixes0 libxcb-sync1 libxcb-shm0 libxcb-glx0 \
fonts-dejavu-core opencv-data gcc libc6-dev chromium"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "note: missing Debian packages:$missing (not root or no apt-get; the tests that need them will skip)" >&2
    exit 0
fi
echo "installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq --no-install-recommends $missing >/dev/null \
    || echo "note: apt-get install failed; the tests that need these packages will skip" >&2
exit 0
