#!/usr/bin/env bash
# Installs extra Debian packages into a built rootfs for a test run (e.g. mosquitto for the
# arm64 runtime checks), without an emulated apt: the host's apt resolves and downloads the
# target-architecture packages against the rootfs's own dpkg status and sources.list, and
# dpkg inside the rootfs (image/lib/in-rootfs.sh: chroot or proot + qemu) installs them.
#
# Usage: bash scripts/image/add-debs.sh ROOTFS CACHE_DIR PACKAGE...
# The downloaded .debs are cached in CACHE_DIR keyed by the rootfs's package set, so a warm
# run does not touch the mirror. Needs root and the host's apt-get.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help || $# -lt 3 ]]; then sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; [[ $# -ge 3 ]]; exit $?; fi
R=$(cd "$1" && pwd) CACHE=$(mkdir -p "$2" && cd "$2" && pwd); shift 2
HERE=$(cd "$(dirname "$0")/../.." && pwd)
STATUS=$R/var/lib/dpkg/status
[[ -f $STATUS && -f $R/etc/apt/sources.list ]] || { echo "add-debs: $R has no dpkg status or apt sources.list" >&2; exit 1; }
ARCH=$(sed -n 's/^Architecture: //p' "$STATUS" | grep -vx all | sort | uniq -c | sort -rn | awk 'NR==1 {print $2}')
KEY=$(cat "$STATUS" "$R/etc/apt/sources.list" <(echo "$*") | sha256sum | cut -c1-12)
DEBS=$CACHE/debs-$ARCH-$KEY
if ! ls "$DEBS"/*.deb >/dev/null 2>&1; then
  A=$CACHE/apt-$ARCH
  mkdir -p "$A/lists/partial" "$A/cache" "$A/archives/partial" "$A/sources.list.d" "$A/preferences.d"
  cp "$R/etc/apt/sources.list" "$A/sources.list"
  cat >"$A/apt.conf" <<CONF
APT::Architecture "$ARCH";
APT::Architectures { "$ARCH"; };
APT::Install-Recommends "false";
APT::Sandbox::User "root";
Dir::State::status "$STATUS";
Dir::State::Lists "$A/lists/";
Dir::Cache "$A/cache/";
Dir::Cache::archives "$A/archives/";
Dir::Etc::SourceList "$A/sources.list";
Dir::Etc::SourceParts "$A/sources.list.d/";
Dir::Etc::Preferences "$A/preferences";
Dir::Etc::PreferencesParts "$A/preferences.d/";
CONF
  rm -f "$A"/archives/*.deb
  APT_CONFIG=$A/apt.conf apt-get -qq update || { echo "add-debs: apt-get update for $ARCH failed (mirror reachable?)" >&2; exit 1; }
  APT_CONFIG=$A/apt.conf apt-get -qq -y --download-only install "$@" >/dev/null || { echo "add-debs: cannot download $* for $ARCH" >&2; exit 1; }
  mkdir -p "$DEBS.part" && mv "$A"/archives/*.deb "$DEBS.part/" && rm -rf "$DEBS" && mv "$DEBS.part" "$DEBS"
fi
echo "add-debs: installing $(ls "$DEBS" | sed 's/_.*//' | tr '\n' ' ')into $R"
rm -rf "$R/tmp/add-debs" && cp -r "$DEBS" "$R/tmp/add-debs"
bash "$HERE/image/lib/in-rootfs.sh" "$R" sh -c 'dpkg -i /tmp/add-debs/*.deb' >"$CACHE/add-debs-$ARCH.log" 2>&1 \
  || { echo "add-debs: dpkg -i failed (see $CACHE/add-debs-$ARCH.log)" >&2; exit 1; }
rm -rf "$R/tmp/add-debs"
