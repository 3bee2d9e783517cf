#!/usr/bin/env bash
# image/lib/in-rootfs.sh — run one command inside a built rootfs, the way image/build.sh does
# (chroot natively; proot + qemu-aarch64-static for arm64 on x86 without binfmt_misc).
#
# Usage: bash image/lib/in-rootfs.sh [--bind HOST:GUEST]... [--env K=V]... ROOTFS CMD [ARG...]
#        bash image/lib/in-rootfs.sh --runner ROOTFS     (prints chroot or proot and exits)
# The target architecture is read from the rootfs (its dpkg). Used by scripts/test-image.sh
# and scripts/image/runtime-checks.ts. With chroot, /proc, /sys and /dev must already be
# mounted by the caller; --bind works with proot only.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"
PRINT=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --bind) ROOTFS_BINDS+=("${2:?--bind needs HOST:GUEST}"); shift 2 ;;
    --env) ROOTFS_ENV+=("${2:?--env needs K=V}"); shift 2 ;;
    --runner) PRINT=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
R=${1:?usage: in-rootfs.sh [--bind H:G] [--env K=V] ROOTFS CMD...}; shift
[[ -x $R/usr/bin/dpkg ]] || die "$R is not a Debian rootfs (no usr/bin/dpkg)"
ARCH=$(sed -n 's/^Architecture: //p' "$R/var/lib/dpkg/status" | grep -vx all | sort | uniq -c | sort -rn | awk 'NR==1 {print $2}')
[[ -n $ARCH ]] || die "cannot tell the architecture of $R"
pick_runner "$ARCH" "$(dpkg --print-architecture 2>/dev/null || uname -m)"
if [[ $PRINT -eq 1 ]]; then echo "$RUNNER"; exit 0; fi
[[ $RUNNER == proot || ${#ROOTFS_BINDS[@]} -eq 0 ]] || die "--bind needs the proot runner"
in_rootfs "$R" "$@"
